/* test_visits.c - the photo type by magic bytes and the visit parameters of
 * the shipped policy (service/visits.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/policy.h"
#include "service/visits.h"

static void photo_types(void **state)
{
	(void)state;
	static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0};
	static const unsigned char jpeg[] = {0xff, 0xd8, 0xff, 0xe0, 0, 0x10};
	static const unsigned char gif[] = {'G', 'I', 'F', '8', '9', 'a'};
	static const unsigned char short_png[] = {0x89, 'P', 'N', 'G'};
	assert_string_equal(visit_photo_type(png, sizeof png), "image/png");
	assert_string_equal(visit_photo_type(jpeg, sizeof jpeg), "image/jpeg");
	assert_null(visit_photo_type(gif, sizeof gif));
	assert_null(visit_photo_type(short_png, sizeof short_png));
	assert_null(visit_photo_type(jpeg, 3));
	assert_null(visit_photo_type(jpeg, 0));
}

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	buf[len] = 0;
	*n = (size_t)len;
	return buf;
}

static void shipped_rules(void **state)
{
	(void)state;
	size_t n = 0;
	char *json = slurp("policy/default.json", &n);
	struct policy p;
	dd_error err;
	assert_int_equal(policy_load(&p, json, n, &err), DD_OK);
	struct visit_rules r;
	struct svc_error e;
	svc_error_clear(&e);
	assert_int_equal(visit_rules_get(&p, "500154001", date_from_ymd(2026, 1, 1), &r, &e), SVC_OK);
	assert_int_equal(r.tekun_days, 30);
	assert_int_equal(r.elderly_days, 30);
	assert_int_equal(r.severe_days, 60);
	assert_int_equal(r.elderly_age, 60);
	assert_int_equal(r.care_warning_days, 30);
	/* no policy: the missing parameter is named */
	assert_int_equal(visit_rules_get(NULL, "50", date_from_ymd(2026, 1, 1), &r, &e), SVC_RULE);
	assert_string_equal(e.code, "NO_POLICY");
	assert_non_null(strstr(e.message, "visit.interval_days.tekun_dispersed"));
	policy_release(&p);
	free(json);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(photo_types),
	    cmocka_unit_test(shipped_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
