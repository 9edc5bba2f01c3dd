/* household_import.h - the household import and export of IMPORT.md over a
 * store: a file in, whole households stored in chunked transactions, a
 * rejects file out; and the stored members back out as the same columns.
 *
 * Import, in two passes over the file (so memory grows with the number of
 * households and ID numbers, never with the file's bytes):
 *   1. decode (UTF-8 / GB18030), parse CSV, read each row (import_row.h);
 *      build each household's state, the file-wide ID index and an
 *      order-free digest of each household's content.
 *   Between the passes, the store is read once: households with the same
 *   region and household_no (equal digest: unchanged; other content:
 *   rejected), and persons of the file already in another active household
 *   (rejected).
 *   2. read the file again; rows of rejected households go to the rejects
 *      file with their reason; the rows of each good household are gathered
 *      (they need not be contiguous) and whole households are written in
 *      chunks, one transaction per chunk with one audit row per household,
 *      by writer threads (one; two connections on PostgreSQL) while this
 *      pass reads on.
 * A crash leaves whole chunks only; running the import again finds the
 * stored households unchanged and completes the rest. A concurrent writer
 * that takes a person between the passes makes the chunk fail (the store's
 * unique indexes): the import stops with an error and can be re-run.
 *
 * Counts (tests/data/README.md): households / persons = stored by this run;
 * rejected_rows = every data row not stored and not unchanged (each in the
 * rejects file); rejected_households = distinct household numbers rejected;
 * unchanged = households already stored with the same content. */
#ifndef DD_SERVICE_HOUSEHOLD_IMPORT_H
#define DD_SERVICE_HOUSEHOLD_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/civil_date.h"
#include "core/encoding.h"
#include "core/status.h"

struct db;

struct household_import_options {
	const char *path;	     /* the CSV file (read twice: not a pipe) */
	const char *rejects;	     /* the rejects file; NULL = path + ".rejects.csv" */
	enum text_encoding encoding; /* TEXT_AUTO, TEXT_UTF8, TEXT_GB18030 */
	const char *actor;	     /* for the audit rows */
	dd_date today;		     /* membership start, the bound for birth dates */
	size_t chunk_households;     /* households per transaction; 0 = 20000 (10000 with two writers) */
	/* the store's target (may be NULL): on PostgreSQL a second connection to
	 * it writes every other chunk */
	const char *db_target;
	/* called after each chunk commits (may be NULL): households stored so far */
	void (*progress)(void *ctx, int64_t households, int64_t persons);
	void *progress_ctx;
};

struct household_import_result {
	int64_t households, persons, rejected_rows, rejected_households, unchanged;
	int64_t rows;		     /* data rows read (blank rows not counted) */
	int64_t chunks;		     /* transactions committed */
	enum text_encoding encoding; /* what the file was read as */
	char rejects[4096];	     /* the rejects file's path */
};

/* Imports the file. DD_EINVAL/DD_ELIMIT for a file that cannot be read as
 * an import at all (bad header, bad encoding, unreadable), with err naming
 * the field or line; DD_EIO for a store failure (chunks committed before it
 * stay; run again). */
dd_status household_import(struct db *db, const struct household_import_options *opt,
			   struct household_import_result *res, dd_error *err) DD_MUST_CHECK;

/* Where export rows go (the CLI: an encoder into a file). */
typedef dd_status (*household_export_sink)(void *ctx, const char *utf8, size_t n, dd_error *err);

/* Writes the stored members (active memberships) of households whose region
 * is inside scope (significant form; "" = all) as IMPORT.md's columns with
 * English headers, CRLF line ends, ordered by region and household number.
 * Constant memory (the rows are streamed). *persons gets the count. */
dd_status household_export(struct db *db, const char *scope, household_export_sink sink, void *ctx, int64_t *persons,
			   dd_error *err) DD_MUST_CHECK;

#endif
