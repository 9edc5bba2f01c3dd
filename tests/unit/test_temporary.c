/* test_temporary.c - the tier rule of temporary assistance, first aid, the
 * case types and staged payment plans (core/temporary.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/temporary.h"

/* Chongqing's demo values: first aid 1000, township 3000, 12 × S, S = 717.00 */
static const struct temp_limits cq = {
    .first_aid_limit = 100000, .township_limit = 300000, .max_multiple = 12, .standard = 71700};

static void tiers(void **state)
{
	(void)state;
	static const struct {
		fen_t amount;
		enum temp_tier want;
		const char *why;
	} rows[] = {
	    {1, TEMP_TIER_FIRST_AID, "one fen"},
	    {100000, TEMP_TIER_FIRST_AID, "exactly the first-aid limit"},
	    {100001, TEMP_TIER_TOWNSHIP, "one fen above the first-aid limit"},
	    {300000, TEMP_TIER_TOWNSHIP, "exactly the township limit"},
	    {300001, TEMP_TIER_COUNTY, "one fen above the township limit"},
	    {860400, TEMP_TIER_COUNTY, "exactly 12 × 717.00"},
	    {860401, TEMP_TIER_CASE_BY_CASE, "one fen above 12 × S"},
	    {INT64_MAX, TEMP_TIER_CASE_BY_CASE, "largest amount"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		enum temp_tier t = 0;
		dd_error err;
		dd_error_clear(&err);
		if (temp_tier_of(&cq, rows[i].amount, &t, &err) != DD_OK || t != rows[i].want)
			fail_msg("%lld (%s): tier %d, want %d", (long long)rows[i].amount, rows[i].why, t,
				 rows[i].want);
	}
}

static void tier_bad_input(void **state)
{
	(void)state;
	enum temp_tier t;
	dd_error err;
	dd_error_clear(&err);
	assert_int_equal(temp_tier_of(&cq, 0, &t, &err), DD_EINVAL);
	assert_string_equal(err.field, "amount");
	assert_int_equal(temp_tier_of(&cq, -1, &t, &err), DD_EINVAL);
	struct temp_limits over = cq;
	over.max_multiple = INT64_MAX / 2;
	assert_int_equal(temp_tier_of(&over, 100, &t, &err), DD_ERANGE);
	assert_string_equal(err.field, "policy");
	struct temp_limits inverted = cq;
	inverted.first_aid_limit = inverted.township_limit + 1;
	assert_int_equal(temp_tier_of(&inverted, 100, &t, &err), DD_EINVAL);
	struct temp_limits no_s = cq;
	no_s.standard = 0;
	assert_int_equal(temp_tier_of(&no_s, 100, &t, &err), DD_EINVAL);
}

static void check_rows(void **state)
{
	(void)state;
	static const struct {
		enum temp_actor actor;
		enum temp_action action;
		fen_t amount;
		bool note;
		bool allowed;
		const char *code;
		const char *why;
	} rows[] = {
	    {TEMP_ACTOR_VILLAGE, TEMP_ACTION_FIRST_AID, 100000, false, true, NULL, "village first aid at the limit"},
	    {TEMP_ACTOR_VILLAGE, TEMP_ACTION_FIRST_AID, 100001, false, false, "FIRST_AID_ABOVE_LIMIT", "one fen above"},
	    {TEMP_ACTOR_TOWNSHIP, TEMP_ACTION_FIRST_AID, 50000, false, true, NULL, "township first aid"},
	    {TEMP_ACTOR_TOWNSHIP, TEMP_ACTION_FIRST_AID, 100001, false, false, "FIRST_AID_ABOVE_LIMIT",
	     "township first aid is limited too"},
	    {TEMP_ACTOR_COUNTY, TEMP_ACTION_FIRST_AID, 100, false, false, "ROLE_CANNOT_FIRST_AID", "county approves"},
	    {TEMP_ACTOR_OTHER, TEMP_ACTION_FIRST_AID, 100, false, false, "ROLE_CANNOT_FIRST_AID", "finance"},
	    {TEMP_ACTOR_VILLAGE, TEMP_ACTION_APPROVE, 100, false, false, "ROLE_CANNOT_APPROVE",
	     "village never approves"},
	    {TEMP_ACTOR_TOWNSHIP, TEMP_ACTION_APPROVE, 300000, false, true, NULL, "township at its limit"},
	    {TEMP_ACTOR_TOWNSHIP, TEMP_ACTION_APPROVE, 300001, false, false, "ABOVE_ROLE_LIMIT", "one fen above"},
	    {TEMP_ACTOR_TOWNSHIP, TEMP_ACTION_APPROVE, 900000, true, false, "ABOVE_ROLE_LIMIT",
	     "a note does not lift the township's limit"},
	    {TEMP_ACTOR_COUNTY, TEMP_ACTION_APPROVE, 300001, false, true, NULL, "county above the township limit"},
	    {TEMP_ACTOR_COUNTY, TEMP_ACTION_APPROVE, 860400, false, true, NULL, "county at 12 × S, no note needed"},
	    {TEMP_ACTOR_COUNTY, TEMP_ACTION_APPROVE, 860401, false, false, "CASE_BY_CASE_NOTE_REQUIRED",
	     "one fen above 12 × S without a note"},
	    {TEMP_ACTOR_COUNTY, TEMP_ACTION_APPROVE, 860401, true, true, NULL, "with the case-by-case note"},
	    {TEMP_ACTOR_OTHER, TEMP_ACTION_APPROVE, 100, false, false, "ROLE_CANNOT_APPROVE", "auditor"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct temp_verdict v;
		dd_error err;
		dd_error_clear(&err);
		if (temp_check(&cq, rows[i].actor, rows[i].action, rows[i].amount, rows[i].note, &v, &err) != DD_OK)
			fail_msg("%s: error %s", rows[i].why, err.message);
		if (v.allowed != rows[i].allowed)
			fail_msg("%s: allowed %d", rows[i].why, v.allowed);
		if (rows[i].code && (!v.code || strcmp(v.code, rows[i].code) != 0))
			fail_msg("%s: code %s, want %s", rows[i].why, v.code ? v.code : "(none)", rows[i].code);
		if (!rows[i].allowed && !v.reason[0])
			fail_msg("%s: a refusal without a reason", rows[i].why);
	}
}

static void reasons_name_amounts(void **state)
{
	(void)state;
	struct temp_verdict v;
	dd_error err;
	dd_error_clear(&err);
	assert_int_equal(temp_check(&cq, TEMP_ACTOR_TOWNSHIP, TEMP_ACTION_APPROVE, 300001, false, &v, &err), DD_OK);
	assert_false(v.allowed);
	assert_non_null(strstr(v.reason, "3000.01"));
	assert_non_null(strstr(v.reason, "3000.00"));
	assert_non_null(strstr(v.reason, "区县"));
	assert_int_equal(v.tier, TEMP_TIER_COUNTY);
	assert_int_equal(temp_check(&cq, TEMP_ACTOR_COUNTY, TEMP_ACTION_APPROVE, 860401, false, &v, &err), DD_OK);
	assert_non_null(strstr(v.reason, "8604.00"));
	assert_non_null(strstr(v.reason, "12 倍"));
	assert_true(v.note_required);
	assert_int_equal(v.cap, 860400);
	assert_int_equal(temp_check(&cq, TEMP_ACTOR_VILLAGE, TEMP_ACTION_FIRST_AID, 100001, false, &v, &err), DD_OK);
	assert_non_null(strstr(v.reason, "1000.00"));
}

static void names_round_trip(void **state)
{
	(void)state;
	size_t n;
	const struct temp_cause *c = temp_causes(&n);
	assert_true(n >= 8);
	int emergency = 0, expenditure = 0;
	for (size_t i = 0; i < n; i++) {
		assert_ptr_equal(temp_cause_find(c[i].code), &c[i]);
		assert_true(c[i].kind == TEMP_KIND_EMERGENCY || c[i].kind == TEMP_KIND_EXPENDITURE);
		emergency += c[i].kind == TEMP_KIND_EMERGENCY;
		expenditure += c[i].kind == TEMP_KIND_EXPENDITURE;
		for (size_t j = 0; j < i; j++)
			assert_true(strcmp(c[i].code, c[j].code) != 0);
	}
	assert_true(emergency > 0 && expenditure > 0);
	assert_int_equal(temp_cause_find("fire")->kind, TEMP_KIND_EMERGENCY);
	assert_int_equal(temp_cause_find("medical")->kind, TEMP_KIND_EXPENDITURE);
	assert_null(temp_cause_find("Fire"));
	assert_null(temp_cause_find(NULL));
	assert_int_equal(temp_kind_parse("emergency"), TEMP_KIND_EMERGENCY);
	assert_int_equal(temp_kind_parse("expenditure"), TEMP_KIND_EXPENDITURE);
	assert_int_equal(temp_kind_parse(""), TEMP_KIND_NONE);
	assert_int_equal(temp_severity_parse("grave"), TEMP_SEVERITY_GRAVE);
	assert_int_equal(temp_severity_parse("worst"), TEMP_SEVERITY_NONE);
	assert_string_equal(temp_tier_name(TEMP_TIER_CASE_BY_CASE), "case_by_case");
	assert_string_equal(temp_severity_name(TEMP_SEVERITY_SERIOUS), "serious");
}

static void amount_for(void **state)
{
	(void)state;
	fen_t a = 0;
	assert_true(temp_amount_for(71700, 3, &a));
	assert_int_equal(a, 215100);
	assert_false(temp_amount_for(INT64_MAX / 2, 3, &a));
	assert_false(temp_amount_for(-1, 3, &a));
}

static void stage_plans(void **state)
{
	(void)state;
	static const struct {
		fen_t total;
		int n;
	} rows[] = {{100, 3}, {1, 1}, {7, 7}, {860401, 12}, {INT64_MAX, 12}, {INT64_MAX, 7}, {300000, 4}};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		fen_t out[TEMP_STAGES_MAX];
		dd_error err;
		dd_error_clear(&err);
		if (temp_stage_plan(rows[i].total, rows[i].n, out, &err) != DD_OK)
			fail_msg("%lld / %d: %s", (long long)rows[i].total, rows[i].n, err.message);
		fen_t sum = 0, lo = INT64_MAX, hi = 0;
		for (int k = 0; k < rows[i].n; k++) {
			assert_true(out[k] > 0);
			assert_true(money_add(sum, out[k], &sum));
			lo = out[k] < lo ? out[k] : lo;
			hi = out[k] > hi ? out[k] : hi;
		}
		assert_int_equal(sum, rows[i].total);
		assert_true(hi - lo <= 1);
		assert_int_equal(temp_stages_check(rows[i].total, out, rows[i].n, &err), DD_OK);
	}
	fen_t out[TEMP_STAGES_MAX];
	dd_error err;
	dd_error_clear(&err);
	assert_int_equal(temp_stage_plan(100, 3, out, &err), DD_OK);
	assert_int_equal(out[0], 34);
	assert_int_equal(out[1], 33);
	assert_int_equal(out[2], 33);
	assert_int_equal(temp_stage_plan(2, 3, out, &err), DD_EINVAL);
	assert_int_equal(temp_stage_plan(100, 0, out, &err), DD_EINVAL);
	assert_int_equal(temp_stage_plan(100, TEMP_STAGES_MAX + 1, out, &err), DD_EINVAL);
	assert_int_equal(temp_stage_plan(0, 1, out, &err), DD_EINVAL);
}

static void stages_checked(void **state)
{
	(void)state;
	dd_error err;
	dd_error_clear(&err);
	fen_t ok[] = {50000, 25000, 25000};
	assert_int_equal(temp_stages_check(100000, ok, 3, &err), DD_OK);
	fen_t short_by_one[] = {50000, 25000, 24999};
	assert_int_equal(temp_stages_check(100000, short_by_one, 3, &err), DD_EINVAL);
	assert_string_equal(err.field, "stages");
	fen_t zero[] = {100000, 0};
	assert_int_equal(temp_stages_check(100000, zero, 2, &err), DD_EINVAL);
	assert_string_equal(err.field, "stages[1]");
	fen_t overflow[] = {INT64_MAX, 1};
	assert_int_equal(temp_stages_check(INT64_MAX, overflow, 2, &err), DD_ERANGE);
	assert_string_equal(err.field, "stages[1]");
	assert_int_equal(temp_stages_check(1, ok, 0, &err), DD_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(tiers),
	    cmocka_unit_test(tier_bad_input),
	    cmocka_unit_test(check_rows),
	    cmocka_unit_test(reasons_name_amounts),
	    cmocka_unit_test(names_round_trip),
	    cmocka_unit_test(amount_for),
	    cmocka_unit_test(stage_plans),
	    cmocka_unit_test(stages_checked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
