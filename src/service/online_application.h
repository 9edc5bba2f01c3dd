/* online_application.h - online applications from the citizen portal
 * (全流程网上办理, issue 5): a citizen submits an application without an
 * account and checks its progress with a tracking number and an ID number;
 * staff in the region list them, read them (ID numbers masked unless
 * revealed, audited) and accept or refuse them.
 *
 * Submitting never reads or touches the registry: the application waits in
 * its own table. Accepting creates the household through the registry's
 * write path (registry_create) - or links the active household that the
 * members' ID numbers already form in the caller's scope - and opens the
 * casework application (channel online) in the same transaction
 * (db_begin_enclosing); the portal's status then follows the case.
 *
 * The tracking number is 15 random Crockford base32 characters (75 bits)
 * and a Luhn mod 32 check character. The status lookup answers the same
 * SVC_NOT_FOUND for an unknown number and for an ID number that does not
 * match (compared as BLAKE2b hashes in constant time). */
#ifndef DD_SERVICE_ONLINE_APPLICATION_H
#define DD_SERVICE_ONLINE_APPLICATION_H

#include <stdbool.h>
#include <stdint.h>

#include "authz.h"
#include "casework.h"
#include "core/json.h"
#include "core/strbuf.h"
#include "svc.h"

struct db;

#define ONLINE_TRACKING_LEN 16
#define ONLINE_PER_PAGE_MAX 500

/* --- pure helpers, exposed for the unit tests --- */

/* The tracking number of 10 random bytes (the first 75 bits used). */
void online_tracking_from_bytes(const unsigned char rnd[10], char out[ONLINE_TRACKING_LEN + 1]);
/* A tracking number as typed (lower case, '-' or spaces between groups, I/L
 * for 1, O for 0) into its canonical form; false when it is not one (wrong
 * length or character, or a wrong check character). */
bool online_tracking_normalize(const char *in, char out[ONLINE_TRACKING_LEN + 1]);
/* The citizen's words for a state: the portal's own (submitted, rejected)
 * when case_state is NULL, else the casework state's. */
const char *online_status_text(const char *state, const char *case_state);

/* --- the portal (no account) --- */

struct online_new {
	const char *programme; /* dibao, tekun, temporary, children */
	const char *region;    /* the village, 12 digits */
	const char *applicant_name, *applicant_id, *phone;
	const char *reason;		    /* may be NULL */
	int commitment;			    /* -1 absent, 0 false, 1 true */
	const struct json_value *household; /* ASSESS.md's household (region and date may be left out) */
	/* the ID numbers of the adult members who sign the household economic
	 * verification authorisation online (授权书网上签署); NULL = none. When the
	 * application is accepted each becomes an authorisation (method online). */
	const struct json_value *verification_signers;
	/* programme children (孤儿、事实无人抚养儿童基本生活保障): the child, one
	 * of the household's members under 18, by ID number, and the request's
	 * category, care type and facts (children_allowance.h; person_id unused).
	 * Accepting makes the children application for that member. */
	const char *child_id_number;
	const struct children_application *children;
};
/* Stores the application and its audit row (actor "portal"); out gets
 * {"tracking_no","status":"submitted","submitted_at"}. SVC_BAD_INPUT naming
 * the field (household.members[0].id, child.facts …), SVC_RULE
 * COMMITMENT_REQUIRED, NOT_A_CHILD (child.id_number: 18 or older). */
enum svc_kind online_submit(struct db *db, const struct online_new *req, struct strbuf *out, struct svc_error *e);

/* {"tracking_no","programme","status","status_text","submitted_at",
 * "updated_at","steps":[{"at","text"}]}. SVC_NOT_FOUND (the same) for an
 * unknown or malformed number and for an ID number that does not match. */
enum svc_kind online_status(struct db *db, const char *tracking_no, const char *id_number, struct strbuf *out,
			    struct svc_error *e);

/* {"items":[{"code","name","level"}]}: the children of parent (default the
 * province 500000) from the regions table, codes and names only. */
enum svc_kind online_regions(struct db *db, const char *parent, struct strbuf *out, struct svc_error *e);

/* --- staff (village, township, county in their region) --- */

struct online_query {
	const char *state; /* "" = any; submitted, accepted, rejected */
	int64_t page, per_page;
};
enum svc_kind online_list(struct db *db, const struct principal *actor, const struct online_query *q,
			  struct strbuf *out, struct svc_error *e);

/* The application with the household as submitted; ID numbers masked unless
 * reveal (authz_household_reveal; audited). */
enum svc_kind online_get(struct db *db, const struct principal *actor, int64_t id, bool reveal, struct strbuf *out,
			 struct svc_error *e);

struct online_action {
	const char *action; /* accept, reject */
	const char *note;   /* reject: required, shown to the citizen */
	int64_t version;    /* < 1: not checked */
	/* accept of a temporary application: the case's kind and cause
	 * (default emergency / other_emergency), severity (general) */
	const char *case_kind, *cause, *severity;
};
/* accept: village or township (as casework_create); reject: village,
 * township or county. Not in state submitted: SVC_CONFLICT NOT_PENDING.
 * out gets the application as online_get (masked). */
enum svc_kind online_act(struct db *db, const struct casework_env *env, const struct principal *actor, int64_t id,
			 const struct online_action *req, struct strbuf *out, struct svc_error *e);

#endif
