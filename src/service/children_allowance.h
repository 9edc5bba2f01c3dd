/* children_allowance.h - the children's basic living allowance (孤儿、事实无人
 * 抚养儿童基本生活保障, issue 10, docs/children.md): what an application of
 * programme `children` carries, and what its approval awards. Called by
 * casework (casework.c) inside its transactions. */
#ifndef DD_SERVICE_CHILDREN_ALLOWANCE_H
#define DD_SERVICE_CHILDREN_ALLOWANCE_H

#include <stdbool.h>
#include <stdint.h>

#include "authz.h"
#include "core/civil_date.h"
#include "core/idnum.h"
#include "core/json.h"
#include "core/money.h"
#include "core/policy.h"
#include "core/region.h"
#include "core/strbuf.h"
#include "store/db.h"
#include "svc.h"

#define CHILDREN_FACTS_MAX 8

/* An eligibility fact (parents' death, disappearance, imprisonment, severe
 * disability, loss of contact…) with its evidence or the applicant's
 * commitment (告知承诺) in its place. */
struct children_fact {
	const char *kind;     /* death, missing, imprisoned, severely_disabled, lost_contact, other */
	const char *parent;   /* father, mother, both; NULL = not said */
	const char *evidence; /* the proof: document, certificate number…; NULL = none */
	int commitment;	      /* 1: a personal commitment replaces the proof */
};

struct children_application {
	int64_t person_id;
	const char *category;  /* orphan, unsupported */
	const char *care_type; /* institution, dispersed */
	struct children_fact facts[CHILDREN_FACTS_MAX];
	size_t n_facts;
	bool too_many_facts;
};

/* The request's own fields (category, care_type, facts) without the child:
 * SVC_BAD_INPUT naming the field. */
enum svc_kind children_request_check(const struct children_application *req, struct svc_error *e);
/* The request as the application's data JSON: {"category","care_type",
 * "facts":[…]}, with "id_number" first when id_number is not NULL (the
 * citizen portal's request, which names the child by ID number). */
void children_request_json(struct strbuf *data, const char *id_number, const struct children_application *req);
/* The reverse of children_request_json (strings point into doc): the
 * request, and the child's ID number or NULL. */
const char *children_request_read(const struct json_value *doc, struct children_application *req);

/* Checks the request (SVC_BAD_INPUT with the field), finds the child: a
 * person alive, under 18 on today, with an active membership in a household
 * inside the caller's scope (else SVC_NOT_FOUND person_id, or SVC_RULE
 * NOT_A_CHILD). Gives the child's household and village, and the
 * application's data JSON. Inside the caller's transaction. */
enum svc_kind children_application_check(struct db *db, const struct principal *actor,
					 const struct children_application *req, dd_date today, int64_t *household_id,
					 char region[REGION_TEXT_MAX], struct strbuf *data, struct svc_error *e);

/* What an approval on today awards. */
struct children_award {
	int64_t person_id;
	char id_number[IDNUM_LEN + 1];
	const char *category; /* orphan_institution, orphan_dispersed, unsupported_child */
	fen_t amount;	      /* the monthly standard in force on today */
	char effective_from[DATE_TEXT_MAX];
	char effective_to[DATE_TEXT_MAX]; /* exclusive; "" = no end yet */
	char last_month[MONTH_TEXT_MAX];  /* "" = no end yet */
	bool same_month, postponed, in_school;
	struct strbuf result, params; /* JSON; the caller initialises and releases them */
};

/* For the application: reads its data and the child, applies the policy
 * (children.standard.*, children.same_month, children.exit_postponed,
 * children.continue_in_school) for the region. SVC_RULE NOT_ELIGIBLE when
 * the child is dead or past the last month; RULE_PARAM_MISSING when a
 * standard is missing. */
enum svc_kind children_award_compute(struct db *db, const struct policy *pol, int64_t application_id, dd_date today,
				     struct children_award *out, struct svc_error *e);
void children_award_release(struct children_award *a);

/* The policy parameter of a decision line category's monthly standard. */
const char *children_standard_param(const char *category);

/* The last month paid to a child born on birth, under the policy as it
 * stands: the postponement periods (children.exit_postponed) around the 18th
 * birthday and children.continue_in_school on the day on (core/children).
 * *open_ended when no end is known yet; *postponed when the 18th birthday
 * falls in a postponement period. */
dd_month children_policy_last_month(const struct policy *pol, const char *region, dd_date birth, bool in_school,
				    dd_date on, bool *open_ended, bool *postponed);

/* Appends ,"children":{"person_id","name","id_number" (masked),
 * "birth_date","category","care_type","facts":[{"kind","parent","evidence",
 * "commitment"}]} for an application of programme children (the request kept
 * in applications.data and the child's register entry). Inside the caller's
 * transaction. */
dd_status children_application_render(struct db *db, int64_t application_id, struct strbuf *out, dd_error *err);

/* A tekun decision in force for the person on or after first_day (the
 * children's decision's first day)? Its id, or 0. */
dd_status children_tekun_in_force(struct db *db, int64_t person_id, const char *first_day, int64_t *decision_id,
				  dd_error *err);

#endif
