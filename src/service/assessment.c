/* assessment.c - see assessment.h. */
#include "assessment.h"

#include "core/arena.h"
#include "core/assess.h"
#include "core/household.h"

enum svc_kind assessment_run(const struct policy *policy, const char *text, size_t n, struct strbuf *out,
			     struct svc_error *e)
{
	struct arena a;
	arena_init(&a, 16 * 1024, 16u * 1024 * 1024);
	struct household h;
	struct assess_params p;
	struct assess_result r;
	dd_error err;
	dd_error_clear(&err);
	dd_status rc = household_parse(text, n, NULL, &a, &h, &err);
	if (!rc)
		rc = assess_params_resolve(policy, h.region_sig, h.date, &p, &err);
	if (!rc)
		rc = household_assess(&h, &p, &a, &r, &err);
	enum svc_kind k = SVC_OK;
	if (rc == DD_ENOTFOUND) /* the policy has no value for this region and date */
		k = svc_fail(e, SVC_RULE, "POLICY_MISSING", err.field, "%s", err.message);
	else if (rc)
		k = svc_from_status(e, rc, &err);
	else
		assess_render(&h, &r, false, out);
	arena_release(&a);
	return k;
}
