/* api_internal.h - what the handler files of the API share: the call a
 * handler gets, the route flags, and the body helpers. Each group of
 * endpoints has its own file (api.c: health, session, users, assess;
 * api_cases.c: applications, close relatives; api_households.c: the registry
 * and the audit trail; api_temporary.c: temporary assistance); the
 * route table and the dispatch are in api.c. */
#ifndef DD_HTTP_API_INTERNAL_H
#define DD_HTTP_API_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "api.h"
#include "core/arena.h"
#include "core/json.h"
#include "router.h"

enum route_flags {
	R_SESSION = 1, /* needs a logged-in session */
	R_CSRF = 2,    /* changes something: needs X-CSRF-Token */
	R_SLOW = 4,    /* hashes a password (argon2id, ~0.1 s): run off the pool threads */
	R_UPLOAD = 8,  /* a file upload: the body may be larger (api_route_body_max) */
	R_FILE = 16,   /* a data file (an answer file of a verification batch): up to API_FILE_MAX */
	R_CHILD = 32,  /* open to the child roles (child_director, child_supervisor); every route
			  without it answers them 403 ROLE_NOT_ALLOWED (default deny) */
};

/* The body limit of an R_FILE route: a batch answer file of a township. */
#define API_FILE_MAX (32u * 1024 * 1024)

struct call {
	const struct api_config *cfg;
	struct db *db;
	const struct api_request *req;
	struct http_reply *rep;
	const struct route_match *match; /* the route and its {id} parameters */
	struct session session;		 /* when R_SESSION */
	struct arena arena;		 /* the parsed body */
	const struct policy *policy;	 /* the policy in force for this request */
};

/* Parses the body as a JSON object into c->arena. False after replying
 * 400 (413 beyond the arena's limit). */
bool api_body_object(struct call *c, const struct json_value **out);
/* The member key of obj (absent: *out NULL). False after replying 400
 * DUPLICATE_KEY when the key is there twice. */
bool api_member(struct call *c, const struct json_value *obj, const char *key, const struct json_value **out);
/* A string member of obj (absent or null: *s NULL). False after replying
 * 400 for another type or a repeated key. */
bool api_member_string(struct call *c, const struct json_value *obj, const char *key, const char **s, size_t *n);
/* An integer member: *present false when absent or null. False after replying 400. */
bool api_member_int(struct call *c, const struct json_value *o, const char *key, int64_t *out, bool *present);
/* The route's {id}. False after replying 404 NOT_FOUND with not_found (an
 * id that is not a number names nothing). */
bool api_path_id(struct call *c, long long *id, const char *not_found);

/* api_cases.c: applications (casework) and the close-relatives register */
void api_applications_create(struct call *c);
void api_applications_list(struct call *c);
void api_applications_get(struct call *c);
void api_applications_action(struct call *c);
void api_close_relatives_create(struct call *c);
void api_close_relatives_list(struct call *c);

/* api_temporary.c: temporary assistance and the township reserve fund */
void api_reserve_fund_get(struct call *c);
void api_reserve_fund_post(struct call *c);
void api_temporary_create(struct call *c);
void api_temporary_get(struct call *c);
void api_temporary_act(struct call *c);
void api_temporary_list(struct call *c);
void api_reserve_funds_list(struct call *c);

/* api_payroll.c: payroll batches (issue 6) */
void api_payroll_generate(struct call *c);
void api_payroll_list(struct call *c);
void api_payroll_get(struct call *c);
void api_payroll_payments(struct call *c);
void api_payroll_act(struct call *c);
/* api_payroll_checks.c: the checks before approval and subsidy campaigns (issue 6) */
void api_payroll_checks_run(struct call *c);
void api_payroll_findings(struct call *c);
void api_payroll_finding_resolve(struct call *c);
void api_payroll_campaign(struct call *c);
void api_payroll_price_index(struct call *c);
/* api_payroll_epidemic.c: epidemic patient aid and staged temporary assistance (issue 6 §3) */
void api_epidemic_patient_create(struct call *c);
void api_epidemic_patient_get(struct call *c);
void api_epidemic_patient_discharge(struct call *c);
void api_payroll_epidemic(struct call *c);
void api_payroll_temporary(struct call *c);
/* api_bank.c: bank files, return files, re-issue, reconciliation, fund ledger (issue 6) */
void api_bank_templates_list(struct call *c);
void api_bank_template_put(struct call *c);
void api_bank_files_list(struct call *c);
void api_bank_file_get(struct call *c);
void api_bank_return_post(struct call *c);
void api_bank_reconciliation(struct call *c);
void api_reissues_list(struct call *c);
void api_reissues_create(struct call *c);
void api_fund_allocation_post(struct call *c);
void api_fund_ledger_get(struct call *c);
void api_fund_ledger_xlsx(struct call *c);
/* The temporary-assistance members of a body (for POST /api/v1/applications
 * and its actions with programme temporary). False after replying 400. */
struct temporary_new;
struct temporary_action;
bool api_temporary_new_members(struct call *c, const struct json_value *o, struct temporary_new *req);
bool api_temporary_action_members(struct call *c, const struct json_value *o, struct temporary_action *req);
/* The children's allowance members of a body (person_id, category,
 * care_type, facts), for POST /api/v1/applications and the 12345 convert
 * with programme children. False after replying 400. */
struct children_application;
bool api_children_application_members(struct call *c, const struct json_value *o, struct children_application *req);

/* api_households.c: the registry and the audit trail */
void api_households_create(struct call *c);
void api_households_list(struct call *c);
void api_households_get(struct call *c);
void api_households_update(struct call *c);
void api_audit_list(struct call *c);

/* api_portal.c: the citizen portal and the staff's online applications */
void api_public_applications_create(struct call *c);
void api_public_applications_get(struct call *c);
void api_public_regions(struct call *c);
void api_online_list(struct call *c);
void api_online_get(struct call *c);
void api_online_action(struct call *c);
/* api_admin.c: the region tree and account administration */
void api_regions_children(struct call *c);
void api_regions_get(struct call *c);
void api_users_list(struct call *c);
void api_users_update(struct call *c);

/* api_policy.c: policy parameters (file + store) */
void api_policy_in_force(struct call *c);
void api_policy_entries(struct call *c);
void api_policy_add(struct call *c);

/* api_workbench.c: the staff workbench */
void api_workbench_get(struct call *c);

/* api_alerts.c: handling the alerts of data matching (issue 7) */
void api_alerts_list(struct call *c);
void api_alert_get(struct call *c);
void api_alert_verify(struct call *c);
void api_alert_action(struct call *c);
void api_alert_close(struct call *c);
void api_alert_release_hold(struct call *c);

/* api_statistics.c: the monthly statistics (issue 8) */
void api_stats_monthly_get(struct call *c);
void api_stats_monthly_csv(struct call *c);
void api_stats_monthly_xlsx(struct call *c);
void api_stats_build(struct call *c);

/* api_campaigns.c: holiday relief campaigns (issue 8) */
void api_campaigns_create(struct call *c);
void api_campaigns_list(struct call *c);
void api_campaign_get(struct call *c);
void api_campaign_plan(struct call *c);
void api_campaign_recipients(struct call *c);
void api_campaign_visit(struct call *c);
void api_campaign_table(struct call *c);
void api_campaign_table_xlsx(struct call *c);
/* api_bank.c: a file download's headers (Content-Type and a
 * Content-Disposition with an ASCII and a UTF-8 name) */
void api_attachment(struct http_reply *rep, const char *type, const char *ascii, const char *display);
/* api_visits.c: visits, care agreements, the centralised-support register (issue 8) */
void api_visits_due(struct call *c);
void api_visits_create(struct call *c);
void api_visits_records(struct call *c);
void api_visit_get(struct call *c);
void api_visit_follow_up_done(struct call *c);
void api_visit_photo_put(struct call *c);
void api_visit_photo_get(struct call *c);
void api_care_list(struct call *c);
void api_care_create(struct call *c);
void api_care_get(struct call *c);
void api_care_unable(struct call *c);
void api_care_replace(struct call *c);
void api_centralised_list(struct call *c);
void api_centralised_create(struct call *c);
void api_centralised_close(struct call *c);
/* api_referrals.c: referrals between departments (issue 9) */
void api_referrals_list(struct call *c);
void api_referrals_create(struct call *c);
void api_referrals_get(struct call *c);
void api_referrals_act(struct call *c);
void api_referral_offices_list(struct call *c);
void api_referral_offices_create(struct call *c);

/* api_children.c: the children of an area and guardianship and care
 * emergencies (issue 10) */
void api_children_list(struct call *c);
void api_children_review(struct call *c);
void api_care_emergencies_list(struct call *c);
void api_care_emergencies_report(struct call *c);
void api_care_emergencies_get(struct call *c);
void api_care_emergencies_act(struct call *c);

/* api_hotline.c: the 12345 hotline work orders (issue 8) */
void api_hotline_list(struct call *c);
void api_hotline_create(struct call *c);
void api_hotline_get(struct call *c);
void api_hotline_accept(struct call *c);
void api_hotline_reply(struct call *c);
void api_hotline_close(struct call *c);
void api_hotline_convert(struct call *c);
void api_hotline_reveal(struct call *c);
void api_hotline_return(struct call *c);
void api_hotline_reassign(struct call *c);

/* api_verification.c: household economic verification (issue 9) */
void api_verification_sources(struct call *c);
void api_verification_authorisations(struct call *c);
void api_verification_authorise(struct call *c);
void api_verification_start(struct call *c);
void api_verification_list(struct call *c);
void api_verification_get(struct call *c);
void api_verification_report(struct call *c);
void api_verification_adopt(struct call *c);
void api_verification_report_html(struct call *c);
void api_verification_report_xlsx(struct call *c);
void api_verification_overdue(struct call *c);
void api_verification_answer(struct call *c);
void api_verification_answer_file(struct call *c);
void api_verification_resend(struct call *c);
void api_verification_batch_create(struct call *c);
void api_verification_batch_list(struct call *c);
void api_verification_batch_get(struct call *c);
void api_verification_batch_file(struct call *c);
void api_verification_batch_answers(struct call *c);
void api_verification_purge(struct call *c);

#endif
