/* visits.h - visits (走访探视), care agreements of dispersed tekun persons
 * (照料服务协议) and the register of those who want centralised support
 * (集中供养意愿登记) (issue 8; docs/visits.md).
 *
 * Who must be visited (the visit population), on today:
 *   tekun_dispersed    a person with a tekun decision line in force, not
 *                      placed in an institution (centralised_requests
 *                      state placed);
 *   elderly_alone      the only current member of a household with a dibao
 *                      decision in force, aged visit.elderly_age or more;
 *   severe_disability  a current member of such a household, or a tekun
 *                      person, with disability grade 1 or 2 (重度残疾) or a
 *                      severe illness (persons.severe_illness).
 * Dead persons are left out. A person in several groups is visited at the
 * shortest interval (visit.interval_days.<group>). Next due: the last visit
 * + interval, or the start of the decision when never visited; overdue when
 * before today.
 *
 * Scope: everything is restricted to the region range of the caller's scope
 * (the person's village); a row outside it is SVC_NOT_FOUND. Writes
 * (recording visits, follow-ups, photos, care agreements, the register) are
 * for village, township and county staff (authz_care_write), each one
 * transaction with its audit row. Stale versions are SVC_CONFLICT
 * (STALE_VERSION). */
#ifndef DD_SERVICE_VISITS_H
#define DD_SERVICE_VISITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "authz.h"
#include "core/civil_date.h"
#include "core/policy.h"
#include "core/strbuf.h"
#include "svc.h"

struct db;

#define VISIT_TEXT_MAX 2000	       /* bytes of needs, notes, duties, reasons */
#define VISIT_PHOTO_MAX (2 << 20)      /* bytes of a photo: 2 MiB */
#define VISIT_PHOTO_DIR "visit-photos" /* under the server's data directory */
/* the due list and the workbench count compute the population of a county
 * (6 digits) or less: a broader scope names a region (REGION_REQUIRED) */
#define VISIT_SCOPE_MIN 6

/* The parameters of region_sig in force on today: SVC_RULE NO_POLICY when
 * one is missing. */
struct visit_rules {
	int64_t tekun_days, elderly_days, severe_days, elderly_age, care_warning_days;
};
enum svc_kind visit_rules_get(const struct policy *p, const char *region_sig, dd_date today, struct visit_rules *out,
			      struct svc_error *e);

struct visit_due_filter {
	const char *status;  /* overdue, due (next due within within_days, overdue included), all; NULL/"" due */
	int64_t within_days; /* for due: 0-366 */
	const char *region;  /* 6-12 digits inside the caller's scope; NULL/"" the whole scope */
	int64_t page, per_page;
};

/* {"items":[{"person_id","name","id_number" (masked),"region","region_name",
 * "household_id","groups":[…],"interval_days","last_visit","next_due",
 * "overdue","days_overdue"}],"total","page","per_page","villages":[{"region",
 * "region_name","due","overdue"}],"today"}, ordered by next due, then person. */
enum svc_kind visits_due_list(struct db *db, const struct principal *actor, const struct policy *policy,
			      const struct visit_due_filter *f, dd_date today, struct strbuf *out, struct svc_error *e);

struct visit_new {
	int64_t person_id;
	const char *visited_on;			 /* YYYY-MM-DD, not after today; NULL today */
	const char *health;			 /* good, fair, poor */
	int housing_safe, fire_safe, hygiene_ok; /* 0/1; -1 missing */
	const char *needs, *note;
	const char *result; /* normal, attention, urgent */
	bool follow_up;
	const char *follow_up_due; /* required when follow_up; on or after visited_on */
};

/* Records a visit; out gets the visit (as visits_get). */
enum svc_kind visits_record(struct db *db, const struct principal *actor, const struct visit_new *req, dd_date today,
			    struct strbuf *out, struct svc_error *e);

/* One visit: {"id","person_id","name","id_number" (masked),"household_id",
 * "region","visited_on","visitor_id","health","housing_safe","fire_safe",
 * "hygiene_ok","needs","result","note","photo" (bool),"photo_type",
 * "follow_up","follow_up_due","follow_up_done_at","follow_up_note",
 * "follow_up_overdue","version"}. */
enum svc_kind visits_get(struct db *db, const struct principal *actor, int64_t id, dd_date today, struct strbuf *out,
			 struct svc_error *e);

/* Recorded visits, newest first: person_id (0 any), region, open follow-ups
 * only. {"items":[visit…],"total","page","per_page"}. */
struct visit_record_filter {
	int64_t person_id;
	const char *region;
	bool follow_up_open;
	int64_t page, per_page;
};
enum svc_kind visits_records(struct db *db, const struct principal *actor, const struct visit_record_filter *f,
			     dd_date today, struct strbuf *out, struct svc_error *e);

/* Marks the visit's follow-up done (it must have one not yet done: SVC_RULE
 * NO_FOLLOW_UP). */
enum svc_kind visits_follow_up_done(struct db *db, const struct principal *actor, int64_t id, int64_t version,
				    const char *note, struct strbuf *out, struct svc_error *e);

/* The type of a photo by its first bytes: "image/jpeg", "image/png" or
 * NULL. */
const char *visit_photo_type(const unsigned char *p, size_t n);

/* Stores a JPEG or PNG photo of at most VISIT_PHOTO_MAX bytes (else
 * SVC_BAD_INPUT PHOTO_TOO_LARGE / PHOTO_TYPE, field "photo") for visit id
 * under data_dir/VISIT_PHOTO_DIR with a generated name, mode 0600; replaces
 * an earlier one. */
enum svc_kind visits_photo_put(struct db *db, const struct principal *actor, int64_t id, const char *data_dir,
			       const unsigned char *data, size_t n, struct strbuf *out, struct svc_error *e);

/* Reads visit id's photo into body; type gets its Content-Type.
 * SVC_NOT_FOUND when out of scope or without a photo. */
enum svc_kind visits_photo_get(struct db *db, const struct principal *actor, int64_t id, const char *data_dir,
			       struct strbuf *body, char type[32], struct svc_error *e);

/* --- care agreements --- */

struct care_filter {
	const char *state;  /* active, needs_replacement, ended, expired, expiring, current (active or
			       needs_replacement); NULL/"" any */
	const char *region; /* as the due list */
	int64_t person_id;  /* 0 any */
	int64_t page, per_page;
};

/* {"items":[{"id","person_id","name","id_number" (masked),"region",
 * "caregiver_name","caregiver_phone" (masked),"caregiver_relation",
 * "term_start","term_end","duties","care_level","state" (expired for an
 * active one past its term),"stored_state","expiring","days_left",
 * "unable_reason","unable_since","replaced_by","replaces","ended_on",
 * "version"}],"total","page","per_page"}. warn_days: care.expiry_warning_days. */
enum svc_kind care_list(struct db *db, const struct principal *actor, const struct care_filter *f, int64_t warn_days,
			dd_date today, struct strbuf *out, struct svc_error *e);
enum svc_kind care_get(struct db *db, const struct principal *actor, int64_t id, int64_t warn_days, dd_date today,
		       struct strbuf *out, struct svc_error *e);

struct care_new {
	int64_t person_id; /* create only; replace takes the old agreement's */
	const char *caregiver_name, *caregiver_phone, *caregiver_relation;
	const char *term_start, *term_end, *duties, *care_level;
};

/* A new agreement of a tekun person in force (SVC_RULE NOT_TEKUN) without a
 * current one (SVC_RULE AGREEMENT_EXISTS). */
enum svc_kind care_create(struct db *db, const struct principal *actor, const struct care_new *req, dd_date today,
			  int64_t warn_days, struct strbuf *out, struct svc_error *e);

/* The caregiver cannot serve: active → needs_replacement at once, with the
 * reason and since (not after today; NULL today). */
enum svc_kind care_unable(struct db *db, const struct principal *actor, int64_t id, int64_t version, const char *reason,
			  const char *since, dd_date today, int64_t warn_days, struct strbuf *out, struct svc_error *e);

/* A new agreement replacing id (active or needs_replacement): id ends
 * (state ended, ended_on today, replaced_by the new one); out gets the new
 * agreement. */
enum svc_kind care_replace(struct db *db, const struct principal *actor, int64_t id, int64_t version,
			   const struct care_new *req, dd_date today, int64_t warn_days, struct strbuf *out,
			   struct svc_error *e);

/* --- centralised support register --- */

/* {"items":[{"id","person_id","name","id_number" (masked),"region",
 * "requested_on","reason","state","institution","closed_on","close_note",
 * "version"}],"total","page","per_page"}. state: requested, placed,
 * withdrawn; NULL/"" any. */
enum svc_kind centralised_list(struct db *db, const struct principal *actor, const char *state, const char *region,
			       int64_t page, int64_t per_page, struct strbuf *out, struct svc_error *e);

/* Registers a tekun person's wish (SVC_RULE NOT_TEKUN; one open request per
 * person: REQUEST_EXISTS). requested_on NULL: today. */
enum svc_kind centralised_create(struct db *db, const struct principal *actor, int64_t person_id,
				 const char *requested_on, const char *reason, dd_date today, struct strbuf *out,
				 struct svc_error *e);

/* Closes a request: outcome placed (institution required) or withdrawn. */
enum svc_kind centralised_close(struct db *db, const struct principal *actor, int64_t id, int64_t version,
				const char *outcome, const char *institution, const char *note, dd_date today,
				struct strbuf *out, struct svc_error *e);

/* The workbench's part: ,"visits":{"overdue","due_week"},"care":{
 * "needs_replacement","expiring","expired","items":[first agreements
 * needing replacement]}: appended to out (a JSON object's members). */
enum svc_kind visits_workbench(struct db *db, const struct principal *actor, const struct policy *policy, dd_date today,
			       struct strbuf *out, struct svc_error *e);

#endif
