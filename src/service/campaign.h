/* campaign.h - holiday relief campaigns (元旦春节走访慰问, issue 8; DOMAIN.md
 * §E, seed 001): a county plans a campaign over a period with the dates its
 * statistics table is reported on; the plan takes the recipients of the
 * chosen categories from the roll in force on the first day (dibao and
 * marginal: the household's head; tekun: the person); village and township
 * staff record each visit with the money (慰问金) and goods (慰问品, with their
 * value) given, and may add people outside the plan; the campaign's table
 * counts, per township and category, the people planned, visited, given
 * money and goods, and the amounts, with the temporary assistance approved
 * in the period, as JSON and as the XLSX the county reports.
 *
 * Who: create and plan - county (actor NULL: the system); record - village,
 * township, county staff inside their scope; read - any staff role inside
 * its scope (the table: authz_stats_read). Money is int64 fen. */
#ifndef DD_SERVICE_CAMPAIGN_H
#define DD_SERVICE_CAMPAIGN_H

#include "authz.h"
#include "core/civil_date.h"
#include "core/strbuf.h"
#include "svc.h"

struct db;

struct campaign_new {
	const char *region;		 /* the county */
	const char *name;		 /* e.g. "2023年元旦春节走访慰问" */
	const char *starts_on;		 /* YYYY-MM-DD */
	const char *ends_on;		 /* YYYY-MM-DD, not before starts_on */
	const char *const *report_dates; /* 1..4 dates YYYY-MM-DD */
	size_t n_report_dates;
	const char *const *categories; /* dibao, tekun, marginal (1..3) */
	size_t n_categories;
};
/* Creates the campaign (audited); out gets the campaign (campaign_get's shape). */
enum svc_kind campaign_create(struct db *db, const struct principal *actor, const struct campaign_new *c, dd_date today,
			      struct strbuf *out, struct svc_error *e);
/* Adds the roll's recipients of the campaign's categories in force on its
 * first day (people already in it are kept as they are); out gets
 * {"id","added","recipients"}. Re-running adds only the new. */
enum svc_kind campaign_plan(struct db *db, const struct principal *actor, int64_t id, struct strbuf *out,
			    struct svc_error *e);
/* {"items":[campaign…]} of the campaigns in the actor's scope, newest first. */
enum svc_kind campaign_list(struct db *db, const struct principal *actor, dd_date today, struct strbuf *out,
			    struct svc_error *e);
/* {"id","region","region_name","name","starts_on","ends_on","report_dates",
 *  "next_report_date","categories","state","version","recipients"} */
enum svc_kind campaign_get(struct db *db, const struct principal *actor, int64_t id, dd_date today, struct strbuf *out,
			   struct svc_error *e);

struct campaign_recipient_query {
	const char *region; /* narrower scope, optional */
	const char *state;  /* planned, visited, cancelled; optional */
	int64_t page, per_page;
};
/* {"items":[{"id","person_id","name","region","category","state","visited_on","money","goods",
 *  "goods_value","version"}],"total","page","per_page"} */
enum svc_kind campaign_recipients(struct db *db, const struct principal *actor, int64_t id,
				  const struct campaign_recipient_query *q, struct strbuf *out, struct svc_error *e);

struct campaign_visit {
	int64_t recipient_id; /* a planned recipient, or ≤ 0 with person_id */
	int64_t person_id;    /* a person outside the plan (category needed) */
	const char *category; /* for a person outside the plan: dibao, tekun, marginal, other */
	const char *visited_on;
	const char *money;	 /* "200.00", optional */
	const char *goods;	 /* description, optional */
	const char *goods_value; /* "80.00", optional */
	int64_t version;	 /* a planned recipient's version */
};
/* Records a visit (audited); out gets the recipient. */
enum svc_kind campaign_visit(struct db *db, const struct principal *actor, int64_t id, const struct campaign_visit *v,
			     struct strbuf *out, struct svc_error *e);

/* The campaign's statistics table as JSON: {"campaign":{…},"categories":[…],
 *  "rows":[{"region","region_name","categories":{"dibao":{"planned","visited","money_persons","money",
 *  "goods_persons","goods_value"},…},"temporary_cases","temporary_amount"}],"total":{…}} */
enum svc_kind campaign_table(struct db *db, const struct principal *actor, int64_t id, dd_date today,
			     struct strbuf *out, struct svc_error *e);
/* The same as the county's XLSX report into body. */
enum svc_kind campaign_table_xlsx(struct db *db, const struct principal *actor, int64_t id, dd_date today,
				  struct strbuf *body, char file_name[96], char display_name[256], struct svc_error *e);

#endif
