/* assessment.h - one household assessed for a caller of the service layer
 * (the API's POST /api/v1/assess; later the intake and the decisions):
 * ASSESS.md's input text in, ASSESS.md's result JSON out, bad input as a
 * 400-kind svc_error naming the field path ("members[0].id"). */
#ifndef DD_SERVICE_ASSESSMENT_H
#define DD_SERVICE_ASSESSMENT_H

#include <stddef.h>

#include "core/policy.h"
#include "core/strbuf.h"
#include "svc.h"

/* Reads the household in text[0..n) and appends its assessment under policy
 * to out (compact JSON). */
enum svc_kind assessment_run(const struct policy *policy, const char *text, size_t n, struct strbuf *out,
			     struct svc_error *e);

#endif
