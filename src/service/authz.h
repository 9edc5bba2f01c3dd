/* authz.h - roles and who may do what where. Every permission and region
 * check of the service layer is here, so the HTTP API and the CLI obey the
 * same rules. Pure: no I/O.
 *
 * A principal is a logged-in staff account: one role, one region. Its scope
 * is the significant form of its region (core/region.h): it sees and changes
 * records whose region code starts with it ("" for 000000: everything). */
#ifndef DD_SERVICE_AUTHZ_H
#define DD_SERVICE_AUTHZ_H

#include <stdbool.h>
#include <stdint.h>

#include "core/region.h"
#include "svc.h"

enum role {
	ROLE_NONE = 0,
	ROLE_VILLAGE,
	ROLE_TOWNSHIP,
	ROLE_COUNTY,
	ROLE_FINANCE,
	ROLE_CITY,
	ROLE_AUDITOR,
	ROLE_ADMIN,
	/* 部门经办人: staff of a receiving office (医保局, 教育局, 残联…) who
	 * answer referrals (referral.h) to their office and nothing else. Its
	 * scope is AUTHZ_SCOPE_NONE, so every region-scoped read finds nothing,
	 * and no authz_* check below lets it through: it reaches referrals
	 * through its office code only. */
	ROLE_DEPARTMENT,
	/* 儿童主任 (one per village, region 12 digits) and 儿童督导员 (per
	 * township, 9 digits): they see the children of their area
	 * (authz_children_view) and report and follow guardianship and care
	 * emergencies (authz_care_emergency_write, care_emergency.h); every
	 * other authz_* check refuses them. */
	ROLE_CHILD_DIRECTOR,
	ROLE_CHILD_SUPERVISOR,
};
#define ROLE_LAST ROLE_CHILD_SUPERVISOR

/* ROLE_NONE for anything but the role codes of DOMAIN.md, department,
 * child_director and child_supervisor. */
enum role role_parse(const char *s);
/* "village" … "admin", "department", "child_director", "child_supervisor";
 * "" for ROLE_NONE. */
const char *role_name(enum role r);

#define PRINCIPAL_USERNAME_MAX 64
#define PRINCIPAL_NAME_MAX 100
/* A receiving office's code (referral_offices.code): letters, digits, '-'
 * and '_'. */
#define OFFICE_CODE_MAX 32
/* The scope of a department user: no region code (digits only) starts with
 * it, so it covers nothing. */
#define AUTHZ_SCOPE_NONE "-"

struct principal {
	int64_t id;
	char username[PRINCIPAL_USERNAME_MAX + 1];
	char name[PRINCIPAL_NAME_MAX + 1];
	enum role role;
	char region[REGION_TEXT_MAX];	  /* as stored, e.g. "500154" */
	char scope[REGION_TEXT_MAX];	  /* its significant form (AUTHZ_SCOPE_NONE: department) */
	char office[OFFICE_CODE_MAX + 1]; /* department: its office; "" otherwise */
};

/* Fills p->scope from p->region (set p->role first: a department user gets
 * AUTHZ_SCOPE_NONE); false when the region is not a code. */
bool principal_set_region(struct principal *p, const char *region);

/* True when the region (significant form) is inside p's scope. */
bool authz_in_scope(const struct principal *p, const char *region_sig);

/* May p create accounts at all (admin, county)? SVC_FORBIDDEN otherwise. */
enum svc_kind authz_user_manage(const struct principal *p, struct svc_error *e);
/* May p create an account with this role in this region (significant form)?
 * Admin: any role, any region. County: village, township, county,
 * child_director or child_supervisor, inside its own scope. SVC_FORBIDDEN
 * with field "role" or "region" otherwise. A child director's region is a
 * village (12 digits), a child supervisor's a township (9 digits):
 * SVC_BAD_INPUT (BAD_REGION_LEVEL, field "region") otherwise, for the admin
 * too. */
enum svc_kind authz_user_create(const struct principal *p, enum role role, const char *region_sig, struct svc_error *e);

/* Reserve funds (reserve_fund.h). A township's fund (significant form) is
 * visible to every staff role whose scope covers it and to the township's own
 * villages; otherwise SVC_NOT_FOUND (its existence is not revealed). */
enum svc_kind authz_reserve_view(const struct principal *p, const char *township_sig, struct svc_error *e);

enum authz_reserve_act {
	AUTHZ_RESERVE_IN,     /* advance, replenish: county, finance */
	AUTHZ_RESERVE_DRAW,   /* draw: township */
	AUTHZ_RESERVE_RETURN, /* return: township, county, finance */
};
/* May p post this kind of entry to the fund? SVC_NOT_FOUND outside the view,
 * SVC_FORBIDDEN (ROLE_NOT_ALLOWED) for a role that may not. */
enum svc_kind authz_reserve_post(const struct principal *p, enum authz_reserve_act act, const char *township_sig,
				 struct svc_error *e);
/* The part of scope inside the caller's: *out = the longer of p's scope and
 * region_sig when one covers the other; false when they are disjoint (a
 * list filtered to a region outside the caller's scope is empty). */
bool authz_scope_narrow(const struct principal *p, const char *region_sig, char out[REGION_TEXT_MAX]);
/* A request's optional "region" argument as the scope to work in: the
 * caller's scope narrowed to it (p NULL, the system: the region itself, ""
 * for everything). SVC_BAD_INPUT (BAD_REGION) for an invalid code,
 * SVC_NOT_FOUND (NOT_FOUND) outside the caller's scope, both field
 * "region". */
enum svc_kind authz_region_arg(const struct principal *p, const char *region, char out[REGION_TEXT_MAX],
			       struct svc_error *e);

/* Households (registry.h). Every staff role reads inside its scope. Only
 * village, township and county staff create and change households:
 * SVC_FORBIDDEN (ROLE_NOT_ALLOWED) for the others. */
enum svc_kind authz_household_write(const struct principal *p, struct svc_error *e);
/* A new household in region_sig: authz_household_write, and the region
 * inside p's scope, else SVC_FORBIDDEN (REGION_OUT_OF_SCOPE, field
 * "region"): a create reveals nothing stored, so 403 rather than 404. */
enum svc_kind authz_household_create(const struct principal *p, const char *region_sig, struct svc_error *e);
/* May p see whole ID numbers (?reveal=1)? Village, township and county
 * staff, who verify applicants, and auditors; not finance, city or admin.
 * SVC_FORBIDDEN (REVEAL_NOT_ALLOWED, field "reveal") otherwise. */
enum svc_kind authz_household_reveal(const struct principal *p, struct svc_error *e);

/* May p run data matching or load the monitoring register (admin, city,
 * county; NULL is the system, a scheduled job)? SVC_FORBIDDEN (FORBIDDEN)
 * otherwise, the message naming what (e.g. "运行数据比对"). */
enum svc_kind authz_monitor_run(const struct principal *p, const char *what, struct svc_error *e);
/* May p read the statistics (statistics.h)? Township staff and above
 * (township, county, finance, city, auditor, admin) inside their scope;
 * SVC_FORBIDDEN (ROLE_NOT_ALLOWED) for village staff, whose scope is finer
 * than the township rows. Building them is authz_monitor_run's set. */
enum svc_kind authz_stats_read(const struct principal *p, struct svc_error *e);
/* Recording visits and follow-ups, care agreements and the centralised-
 * support register (visits.h): village, township and county staff;
 * SVC_FORBIDDEN (ROLE_NOT_ALLOWED) for the others. */
enum svc_kind authz_care_write(const struct principal *p, struct svc_error *e);
/* May p register or handle 12345 hotline work orders (township and county
 * staff: the county's hotline desk receives, the township handles)?
 * SVC_FORBIDDEN (ROLE_NOT_ALLOWED) otherwise, the message naming what. */
enum svc_kind authz_hotline_write(const struct principal *p, const char *what, struct svc_error *e);
/* Household economic verification (verification.h): the data is seen by
 * the staff who handle cases (village, township, county) and by auditors,
 * inside their scope; SVC_FORBIDDEN (ROLE_NOT_ALLOWED) for the others. */
enum svc_kind authz_verification_view(const struct principal *p, struct svc_error *e);
/* Starting, answering, reporting and adopting verifications: township and
 * county staff; SVC_FORBIDDEN (ROLE_NOT_ALLOWED) otherwise, naming what. */
enum svc_kind authz_verification_write(const struct principal *p, const char *what, struct svc_error *e);
/* May p send, close or cancel referrals (referral.h)? Village, township
 * and county staff; SVC_FORBIDDEN (ROLE_NOT_ALLOWED) otherwise. */
enum svc_kind authz_referral_send(const struct principal *p, struct svc_error *e);
/* May p accept, answer or return referrals to its office? Department users
 * with an office only; SVC_FORBIDDEN (ROLE_NOT_ALLOWED) otherwise. */
enum svc_kind authz_referral_answer(const struct principal *p, struct svc_error *e);
/* May p list the children of its area (GET /api/v1/children)? Village,
 * township and county staff and the child directors and supervisors;
 * SVC_FORBIDDEN (ROLE_NOT_ALLOWED) otherwise. */
enum svc_kind authz_children_view(const struct principal *p, struct svc_error *e);
/* Guardianship and care emergencies (care_emergency.h): reported, arranged,
 * visited and closed by village, township and county staff and the child
 * directors and supervisors, inside their scope; SVC_FORBIDDEN
 * (ROLE_NOT_ALLOWED) otherwise. Reading them is the same set. */
enum svc_kind authz_care_emergency_write(const struct principal *p, struct svc_error *e);
/* True for the two child roles. */
bool authz_child_role(const struct principal *p);
/* May p read the audit trail? Auditor and admin only (SVC_FORBIDDEN). */
enum svc_kind authz_audit_read(const struct principal *p, struct svc_error *e);

#endif
