/* bank_file.h - bank files of a payroll batch (issue 6): the templates kept
 * as data (bank_templates), one file per paying bank for an exported batch
 * (CSV in the template's encoding or XLSX), the bank's return files
 * (payments paid or returned, once per file), the re-issue of returned
 * payments in a new batch, and the reconciliation report.
 *
 * Who: templates - read by the payroll readers, changed by county or admin;
 * bank files - listed by the payroll readers, downloaded by finance only
 * (full ID numbers and accounts; every download audited); return files -
 * finance or county; re-issue - county; reconciliation - the payroll
 * readers. actor NULL is the command line's operator (doudi payroll), who
 * may do all of it. Every write is one transaction with its audit row. */
#ifndef DD_SERVICE_BANK_FILE_H
#define DD_SERVICE_BANK_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "authz.h"
#include "core/json.h"
#include "core/money.h"
#include "core/strbuf.h"
#include "svc.h"

struct db;

/* {"items":[{"code","bank_name","format","encoding","columns","header","return_columns","updated_at"}]} */
enum svc_kind bank_templates_list(struct db *db, const struct principal *actor, struct strbuf *out,
				  struct svc_error *e);

struct bank_template_new {
	const char *bank_name, *format, *encoding;
	const struct json_value *columns, *header, *return_columns;
};
/* Creates or replaces template code; writes it as in the list to out. */
enum svc_kind bank_template_put(struct db *db, const struct principal *actor, const char *code,
				const struct bank_template_new *t, struct strbuf *out, struct svc_error *e);

/* One paying bank of a batch. code "" when the bank has no template. */
struct bank_file_entry {
	char bank_name[128];
	char code[40];
	int64_t count;
	fen_t total;
};
/* The banks of an exported (or reconciled) batch's payments: *items
 * (free()) of *n. */
enum svc_kind bank_files_collect(struct db *db, const struct principal *actor, int64_t batch,
				 struct bank_file_entry **items, size_t *n, struct svc_error *e);
/* {"batch_id","items":[{"bank_code","bank_name","count","total","format"}],
 *  "errors":[{"code":"NO_TEMPLATE","bank_name","count","total","message"}]} */
enum svc_kind bank_files_list(struct db *db, const struct principal *actor, int64_t batch, struct strbuf *out,
			      struct svc_error *e);

struct bank_file {
	struct strbuf body;	/* the file's bytes (strbuf_init before, release after) */
	char file_name[96];	/* ASCII: payroll-<batch>-<code>.csv|xlsx */
	char display_name[320]; /* UTF-8: <county><period><programme>-<bank>.csv|xlsx */
	char content_type[96];
	int64_t count;
	fen_t total;
};
/* Renders the bank file of template code for the batch (audited). */
enum svc_kind bank_file_render(struct db *db, const struct principal *actor, int64_t batch, const char *code,
			       struct bank_file *f, struct svc_error *e);

/* Imports a bank's return file (bytes, UTF-8 or GB18030 CSV) for batch;
 * code: the template ("" or NULL: the one whose return titles the file has).
 * out: {"id","batch_id","bank_code","digest","duplicate","paid","returned",
 * "rejected_count","rejected":[{"line","code","reason"}],"exported_left"}.
 * *duplicate: the same file was imported before (nothing changed). */
enum svc_kind bank_return_import(struct db *db, const struct principal *actor, int64_t batch, const char *code,
				 const char *file_name, const char *data, size_t n, struct strbuf *out, bool *duplicate,
				 struct svc_error *e);

/* Returned payments not yet re-issued inside region (or the actor's scope):
 * {"items":[{"id","batch_id","person_id","name","id_number"(masked),"region","programme",
 * "period","amount","bank_name","bank_account"(masked),"current_bank_name",
 * "current_bank_account"(masked),"account_changed","return_reason"}],"total","page","per_page"} */
enum svc_kind payroll_reissues_list(struct db *db, const struct principal *actor, const char *region, int64_t page,
				    int64_t per_page, struct strbuf *out, struct svc_error *e);
/* Re-issues returned payments (one county and programme) in a new batch of
 * kind reissue (draft) paying each person's current bank account; the
 * originals become reissued. Writes the new batch (payroll_batch_get). */
enum svc_kind payroll_reissue_create(struct db *db, const struct principal *actor, const int64_t *ids, size_t n,
				     struct strbuf *out, struct svc_error *e);
#define REISSUE_IDS_MAX 1000

/* {"batch_id","state","by_state":[{"state","state_name","count","total"}],
 *  "by_bank":[{"bank_name","count","total","paid_count","paid_total","returned_count",
 *  "returned_total","exported_count","exported_total"}],"returns":[…],"exported_left","can_reconcile"} */
enum svc_kind payroll_reconciliation(struct db *db, const struct principal *actor, int64_t batch, struct strbuf *out,
				     struct svc_error *e);

#endif
