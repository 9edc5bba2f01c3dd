/* monitor.h - data matching (issue 7, docs/monitor.md): other departments'
 * datasets against the monitored population, raising alerts and leads.
 *
 * The monitored population on the run's date: every person in an active
 * membership of a household with a dibao, gradual-exit or marginal decision
 * in force, every tekun or single-person line in force, and every entry of
 * the monitoring register (monitored_persons) in force; the dead excluded.
 * It is held in memory as 64-bit ID keys (core/match.h), about 40 bytes a
 * person.
 *
 * A run takes files, each of a dataset kind; the files of one kind form one
 * job (sums over a person's records span the kind's files), and two worker
 * threads take the jobs. Each file is read in 4 MiB blocks, decoded (UTF-8
 * or GB18030, detected) and scanned record by record; memory does not grow
 * with the file, only with the hits and, for sum rules, with the distinct
 * people summed. Rows with a bad ID number, a malformed record, or a bad
 * value in a column a rule needs go to FILE.rejects.csv (line, field,
 * reason).
 *
 * Alerts are written in one transaction at the end, each with a dedup key
 * (rule, person, fact): re-running the same files raises nothing new. Each
 * alert goes to the township of the person's household (a lead: of the
 * record's region); a duplicate rule raises one for each county. Due dates
 * count working days from the run's date. Every alert and the run are
 * audited. */
#ifndef DD_SERVICE_MONITOR_H
#define DD_SERVICE_MONITOR_H
#include <stdbool.h>
#include <stddef.h>

#include "authz.h"
#include "core/calendar.h"
#include "core/encoding.h"
#include "core/strbuf.h"
#include "svc.h"

struct db;

struct monitor_file {
	const char *kind; /* dataset kind code */
	const char *path;
};

struct monitor_match_options {
	const struct monitor_file *files;
	int nfiles;
	const char *as_of; /* YYYY-MM-DD; NULL: today */
	enum text_encoding encoding;
	int threads;		    /* 0: 2 */
	const struct calendar *cal; /* working days for the due dates */
};

/* Runs the match; actor NULL is the system (a scheduled job), otherwise a
 * county-level account or above. out gets the summary JSON: per file rows,
 * rejected, matched, alerts, leads and the rejects path, and the totals. */
enum svc_kind monitor_match(struct db *db, const struct principal *actor, const struct monitor_match_options *o,
			    struct strbuf *out, struct svc_error *e);

#endif
