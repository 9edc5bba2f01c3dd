/* verification.h - household economic verification (家庭经济状况核对,
 * issue 9; docs/verification.md): the adult members' authorisations, one
 * verification per application with a request to each source (public
 * security, housing, provident fund, social insurance, market regulation,
 * tax, banks), the sources' answers by file (CSV or XLSX) or through the
 * API, overdue requests and resending, the consolidated report (核对报告:
 * declared beside verified, the differences, overdue sources), adopting it
 * (the verified figures become the household's incomes and assets, so the
 * assessment uses them), exports, batches for the periodic reviews, and
 * the purge after verification.retention_days.
 *
 * Who: the verification data is seen by village, township and county staff
 * whose scope holds the household, and by auditors (authz_verification_view);
 * township and county staff act (authz_verification_write). Everything else
 * is SVC_FORBIDDEN; a record outside the scope is SVC_NOT_FOUND. Every read
 * of a verification's data is audited (verification.view); every change is
 * one transaction with its audit row. */
#ifndef DD_SERVICE_VERIFICATION_H
#define DD_SERVICE_VERIFICATION_H

#include <stddef.h>
#include <stdint.h>

#include "authz.h"
#include "core/calendar.h"
#include "core/civil_date.h"
#include "core/policy.h"
#include "core/strbuf.h"
#include "svc.h"

struct db;

struct verification_env {
	const struct policy *policy; /* verification.*, and the assessment's parameters */
	const struct calendar *cal;  /* working days for the reply deadlines */
	dd_date today;		     /* China civil date of the request */
};

/* {"items":[{code,name,department,items:[…],reply_workdays}]}: the active
 * sources, reply_workdays from the policy for the caller's region. */
enum svc_kind verification_sources(struct db *db, const struct verification_env *env, const struct principal *actor,
				   struct strbuf *out, struct svc_error *e);

/* An authorisation (授权书) signed by members of a household. */
struct verification_auth_new {
	int64_t household_id;
	int64_t application_id; /* 0: none */
	const int64_t *person_ids;
	size_t n_persons;
	const char *method;	 /* paper, online */
	const char *scope;	 /* "all" or comma-separated source codes; NULL = all */
	const char *signed_on;	 /* YYYY-MM-DD, not after today */
	const char *valid_until; /* YYYY-MM-DD, on or after signed_on */
	const char *document;	 /* the scan's reference (paper); may be NULL */
};
/* Records one authorisation per person (each a current member of the
 * household). out: the household's authorisations (as _authorisations). */
enum svc_kind verification_authorise(struct db *db, const struct verification_env *env, const struct principal *actor,
				     const struct verification_auth_new *req, struct strbuf *out, struct svc_error *e);
/* {"items":[…],"adults":[…],"complete":bool}: a household's authorisations,
 * its adult members and whether each has one valid today for every source. */
enum svc_kind verification_authorisations(struct db *db, const struct verification_env *env,
					  const struct principal *actor, int64_t household_id, struct strbuf *out,
					  struct svc_error *e);

/* The authorisation signed online with an application in the citizen
 * portal: signers (JSON array text of ID numbers, as the portal stored it)
 * each still a member of the household gets an authorisation (method
 * online, scope all) signed on the submission's China date, valid for
 * verification.authorisation_valid_days, with application_id and document
 * (the tracking number); one audit row. Inside the caller's transaction (the
 * acceptance of the online application). *count: authorisations written. */
dd_status verification_authorise_online(struct db *db, const struct policy *policy, const struct principal *actor,
					int64_t household_id, int64_t application_id, const char *signers, size_t n,
					const char *submitted_at, const char *document, int *count,
					dd_error *err) DD_MUST_CHECK;

/* Starts the verification of an open application's household: a request
 * to each of sources (NULL or n 0: every active source), due after the
 * source's verification.reply_workdays.<code> working days. Refused with
 * SVC_RULE AUTHORISATION_MISSING when an adult member (18 or over today)
 * lacks an authorisation valid today whose scope holds the source;
 * SVC_CONFLICT VERIFICATION_OPEN when one is open for the application. */
enum svc_kind verification_start(struct db *db, const struct verification_env *env, const struct principal *actor,
				 int64_t application_id, const char *const *sources, size_t n_sources, int64_t *id,
				 struct svc_error *e);

/* The verification as JSON: requests (with overdue), findings (members'
 * ID numbers masked), the report when built. Audited (verification.view). */
enum svc_kind verification_get(struct db *db, const struct verification_env *env, const struct principal *actor,
			       int64_t id, struct strbuf *out, struct svc_error *e);

struct verification_filter {
	const char *state; /* "" = any */
	int64_t application_id;
	int64_t batch_id;
	bool overdue; /* only verifications with an overdue request */
	int64_t page, per_page;
};
/* {"items":[…],"total"}: the verifications in the caller's scope (states
 * and counts only: no findings). */
enum svc_kind verification_list(struct db *db, const struct verification_env *env, const struct principal *actor,
				const struct verification_filter *f, struct strbuf *out, struct svc_error *e);

/* {"items":[…],"total"}: the overdue requests in the caller's scope (not
 * answered, due date before today), earliest first. */
enum svc_kind verification_overdue(struct db *db, const struct verification_env *env, const struct principal *actor,
				   int64_t page, int64_t per_page, struct strbuf *out, struct svc_error *e);

/* One finding of an answer. */
struct verification_finding {
	const char *id_number;
	const char *item; /* a finding item of the source, or "none" */
	int64_t amount;	  /* fen */
	int64_t quantity;
	const char *period; /* month, year; NULL = month */
	const char *note;
};
/* Answers request_id through the API: the findings (each member's ID
 * number, an item the source reports); the request becomes answered.
 * Refused: SVC_CONFLICT ALREADY_ANSWERED; bad findings SVC_BAD_INPUT naming
 * findings[i].field. */
enum svc_kind verification_answer(struct db *db, const struct verification_env *env, const struct principal *actor,
				  int64_t request_id, const struct verification_finding *f, size_t n,
				  struct strbuf *out, struct svc_error *e);

/* Answers by a file the source returned (CSV in UTF-8 or GB18030, or XLSX;
 * headers 请求编号/request_no, 身份证号/id_number, 姓名/name, 核对项目/item,
 * 金额/amount, 数量/quantity, 周期/period, 备注/note): for one request
 * (request_id > 0) or for every request of source in a batch (batch_id > 0).
 * Every request the file answers becomes answered, with the findings of its
 * rows; rows that match no request or member, or carry a bad value, are
 * rejected with their line and reason. out: {"rows","matched","rejected",
 * "requests_answered","rejects":[{line,field,reason}]}. */
enum svc_kind verification_answer_file(struct db *db, const struct verification_env *env, const struct principal *actor,
				       int64_t request_id, int64_t batch_id, const char *source, const char *file_name,
				       const char *data, size_t len, struct strbuf *out, struct svc_error *e);

/* Re-sends an unanswered request: a new due date, resent + 1. */
enum svc_kind verification_resend(struct db *db, const struct verification_env *env, const struct principal *actor,
				  int64_t request_id, struct strbuf *out, struct svc_error *e);

/* Builds the consolidated report once every request is answered or
 * overdue (else SVC_RULE ANSWERS_PENDING); state reported. */
enum svc_kind verification_report(struct db *db, const struct verification_env *env, const struct principal *actor,
				  int64_t id, int64_t version, struct strbuf *out, struct svc_error *e);

/* Adopts a built report: each verified figure replaces the declared one in
 * the household's incomes and assets from this month; state adopted; the
 * assessment after adoption is kept in the report (assessment_after). */
enum svc_kind verification_adopt(struct db *db, const struct verification_env *env, const struct principal *actor,
				 int64_t id, int64_t version, struct strbuf *out, struct svc_error *e);

/* The report as a printable HTML page (format "html") or a workbook
 * ("xlsx"), appended to body; file_name (ASCII) and display_name (UTF-8)
 * for the download. Audited (verification.export). */
#define VERIFICATION_NAME_MAX 160
enum svc_kind verification_export(struct db *db, const struct verification_env *env, const struct principal *actor,
				  int64_t id, const char *format, struct strbuf *body,
				  char file_name[VERIFICATION_NAME_MAX], char display_name[VERIFICATION_NAME_MAX],
				  struct svc_error *e);

/* A batch for township region (9 digits): every open review case of the
 * township without a verification; those whose adult members lack an
 * authorisation are skipped and listed. out: the batch summary. */
enum svc_kind verification_batch_create(struct db *db, const struct verification_env *env,
					const struct principal *actor, const char *region, int64_t *id,
					struct strbuf *out, struct svc_error *e);
/* {"items":[{id,region,region_name,as_of,households,skipped,created_at,
 * created_by,reported}],"total","page","per_page"}: the batches in the
 * caller's scope, newest first. */
enum svc_kind verification_batches(struct db *db, const struct verification_env *env, const struct principal *actor,
				   int64_t page, int64_t per_page, struct strbuf *out, struct svc_error *e);
/* {"id","region","households","skipped","sources":[{code,requests,answered}]} */
enum svc_kind verification_batch_get(struct db *db, const struct verification_env *env, const struct principal *actor,
				     int64_t id, struct strbuf *out, struct svc_error *e);
/* The request file of one source for a batch: a row per member of every
 * household (请求编号, 身份证号, 姓名, 与户主关系, 户主身份证号, 所在地区,
 * 核对项目); CSV (UTF-8 with BOM) or XLSX. Audited. */
enum svc_kind verification_batch_file(struct db *db, const struct verification_env *env, const struct principal *actor,
				      int64_t id, const char *source, const char *format, struct strbuf *body,
				      char file_name[VERIFICATION_NAME_MAX], char display_name[VERIFICATION_NAME_MAX],
				      struct svc_error *e);

/* Purges the answers and reports of verifications past purge_after (actor
 * NULL: the system; else county staff or admin): findings deleted, report
 * replaced by a note, purged_at set, one audit row each. *purged: count. */
enum svc_kind verification_purge(struct db *db, const struct verification_env *env, const struct principal *actor,
				 int64_t *purged, struct svc_error *e);

/* The workbench's verification block for the region range [lo, hi):
 * {"open","overdue","overdue_items":[…at most max, earliest due first]};
 * inside the caller's read transaction. */
dd_status verification_workbench(struct db *db, const char *lo, const char *hi, const char *today, int64_t max,
				 struct strbuf *out, dd_error *err) DD_MUST_CHECK;

#endif
