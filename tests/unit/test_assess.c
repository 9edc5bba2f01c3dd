/* test_assess.c - the engine on hand-worked households (shipped policy,
 * Chongqing rural 2022-09-01: S = 581.00, tekun basic 932.00) and the
 * epidemic aid period count. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/assess.h"

static struct policy pol;

static int setup(void **state)
{
	(void)state;
	FILE *f = fopen("policy/default.json", "rb");
	if (!f)
		return -1;
	static char buf[1 << 20];
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	dd_error err;
	return policy_load(&pol, buf, n, &err) == DD_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	policy_release(&pol);
	return 0;
}

struct run {
	struct arena a;
	struct household h;
	struct assess_result r;
	dd_error err;
	dd_status rc;
};

static void assess_text(struct run *x, const char *json)
{
	arena_init(&x->a, 4096, 0);
	struct json_value *doc;
	struct assess_params p;
	x->rc = json_parse(json, strlen(json), &x->a, NULL, &doc, &x->err);
	if (!x->rc)
		x->rc = household_read(doc, NULL, &x->a, &x->h, &x->err);
	if (!x->rc)
		x->rc = assess_params_resolve(&pol, x->h.region_sig, x->h.date, &p, &x->err);
	if (!x->rc)
		x->rc = household_assess(&x->h, &p, &x->a, &x->r, &x->err);
}

static void money_eq(fen_t got, const char *want)
{
	char buf[MONEY_TEXT_MAX];
	money_format(got, buf);
	assert_string_equal(buf, want);
}

#define HEAD "{\"region\":\"500154001\",\"area\":\"rural\",\"date\":\"2022-09-01\","

static void dibao_with_deduction_and_addon(void **state)
{
	(void)state;
	struct run x;
	assess_text(&x,
		    HEAD "\"members\":["
			 "{\"id\":\"500154198001010016\",\"name\":\"张某\",\"relation\":\"head\","
			 " \"incomes\":[{\"type\":\"wage\",\"amount\":\"1500.00\"}]},"
			 "{\"id\":\"500154198203040029\",\"name\":\"李某\",\"relation\":\"spouse\","
			 " \"incomes\":[{\"type\":\"basic_pension\",\"amount\":\"1200.00\",\"period\":\"year\"}]},"
			 "{\"id\":\"50015420120506001X\",\"name\":\"张小\",\"relation\":\"child\",\"in_school\":true}],"
			 "\"expenses\":[{\"type\":\"medical\",\"amount\":\"12000.00\",\"period\":\"year\"}]}");
	if (x.rc)
		fail_msg("%s: %s", x.err.field, x.err.message);
	/* wage 1500 × 0.7 = 1050; pension excluded; deduction 12000 / 12 = 1000;
	 * P = 50 / 3 = 16.67; D = (581 − 16.67) × 3 + child add-on 100 = 1792.99 */
	assert_int_equal(x.r.determination, DET_DIBAO);
	assert_int_equal(x.r.household_size, 3);
	money_eq(x.r.counted_income, "1050.00");
	money_eq(x.r.deduction, "1000.00");
	money_eq(x.r.per_capita_income, "16.67");
	money_eq(x.r.monthly_benefit, "1792.99");
	assert_true(x.r.asset_test);
	assert_true(x.r.n_trace > 8);
	arena_release(&x.a);
}

static void gradual_exit(void **state)
{
	(void)state;
	struct run x;
	assess_text(
	    &x, HEAD
	    "\"current\":{\"programme\":\"dibao\",\"monthly_benefit\":\"1200.00\",\"income_rise_month\":\"2022-08\"},"
	    "\"members\":[{\"id\":\"500154198001010016\",\"name\":\"张某\",\"relation\":\"head\","
	    " \"incomes\":[{\"type\":\"wage\",\"amount\":\"1000.00\"}]}]}");
	assert_int_equal(x.rc, DD_OK);
	/* P = 700.00: 581 ≤ P ≤ 871.50, employment income, 2022-09 ≤ 2022-08 + 6 */
	assert_int_equal(x.r.determination, DET_GRADUAL_EXIT);
	money_eq(x.r.monthly_benefit, "1200.00");
	char m[MONTH_TEXT_MAX];
	month_format(x.r.gradual_exit_until, m);
	assert_string_equal(m, "2023-02");
	arena_release(&x.a);
	/* seven months after the rise: the period is over, P ≤ 1.5 S → marginal */
	assess_text(
	    &x,
	    "{\"region\":\"500154001\",\"area\":\"rural\",\"date\":\"2023-03-01\","
	    "\"current\":{\"programme\":\"dibao\",\"monthly_benefit\":\"1200.00\",\"income_rise_month\":\"2022-08\"},"
	    "\"members\":[{\"id\":\"500154198001010016\",\"name\":\"张某\",\"relation\":\"head\","
	    " \"incomes\":[{\"type\":\"wage\",\"amount\":\"1000.00\"}]}]}");
	assert_int_equal(x.rc, DD_OK);
	assert_int_equal(x.r.determination, DET_MARGINAL);
	arena_release(&x.a);
}

static void tekun_leaves_household(void **state)
{
	(void)state;
	struct run x;
	assess_text(&x, HEAD "\"members\":[{\"id\":\"500154194001010018\",\"name\":\"王某\",\"relation\":\"head\","
			     "\"labor_capacity\":\"none\",\"supporters\":\"none\",\"self_care\":\"partial\"}],"
			     "\"expenses\":[{\"type\":\"medical\",\"amount\":\"600.00\"}]}");
	if (x.rc)
		fail_msg("%s: %s", x.err.field, x.err.message);
	assert_int_equal(x.r.household_size, 0);
	assert_int_equal(x.r.determination, DET_NONE);
	assert_false(x.r.asset_test);
	money_eq(x.r.deduction, "0.00");
	assert_int_equal(x.r.n_tekun, 1);
	money_eq(x.r.tekun[0].benefit, "1132.00"); /* 932.00 + partial care 200.00 */
	arena_release(&x.a);
}

static void single_person_in_marginal(void **state)
{
	(void)state;
	struct run x;
	/* two adults, wage 1500 each → counted 2100, P = 1050 > 871.50: none;
	 * wage 1100 each → 770 each, P = 770: marginal; the grade-1 member (labor
	 * partial, so not tekun) is enrolled alone: 581 − 770 < 0 → 0.00 */
	assess_text(&x, HEAD
		    "\"members\":["
		    "{\"id\":\"500154198001010016\",\"name\":\"张某\",\"relation\":\"head\","
		    " \"incomes\":[{\"type\":\"wage\",\"amount\":\"1100.00\"}]},"
		    "{\"id\":\"500154198203040029\",\"name\":\"李某\",\"relation\":\"spouse\",\"disability_grade\":1,"
		    " \"labor_capacity\":\"partial\",\"incomes\":[{\"type\":\"wage\",\"amount\":\"1100.00\"}]}]}");
	assert_int_equal(x.rc, DD_OK);
	assert_int_equal(x.r.determination, DET_MARGINAL);
	assert_int_equal(x.r.n_single_person, 1);
	assert_int_equal(x.r.single_person[0].member, 1);
	money_eq(x.r.single_person[0].benefit, "0.00");
	arena_release(&x.a);
}

static void missing_policy_value_named(void **state)
{
	(void)state;
	struct run x;
	assess_text(&x, "{\"region\":\"110101\",\"area\":\"urban\",\"date\":\"2022-09-01\",\"members\":["
			"{\"id\":\"500154198001010016\",\"name\":\"张某\",\"relation\":\"head\"}]}");
	assert_int_equal(x.rc, DD_ENOTFOUND);
	assert_string_equal(x.err.field, "dibao.standard.urban");
	arena_release(&x.a);
}

static dd_date D(const char *s)
{
	dd_date t;
	dd_error err;
	if (date_parse(s, strlen(s), &t, &err))
		fail_msg("bad date %s", s);
	return t;
}

static void epidemic_periods(void **state)
{
	(void)state;
	static const struct {
		const char *from, *to;
		int want;
		const char *why;
	} rows[] = {
	    {"2020-02-03", "2020-03-10", 2, "RULES.md example: periods from 02-03 and 03-03"},
	    {"2020-02-03", "2020-02-03", 1, "discharged the day of diagnosis"},
	    {"2020-02-03", "2020-03-02", 1, "within the first period"},
	    {"2020-02-03", "2020-03-03", 1, "the second period begins on discharge day, not before"},
	    {"2020-02-03", "2020-03-04", 2, "the second period began before discharge"},
	    {"2020-01-31", "2020-03-01", 2, "01-31 + 1 month is 02-29 (clamped)"},
	    {"2020-02-03", "2020-02-01", 0, "discharge before diagnosis"},
	    {"2021-12-15", "2022-06-20", 7, "across a year end"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		int got = epidemic_aid_periods(D(rows[i].from), D(rows[i].to));
		if (got != rows[i].want)
			fail_msg("%s → %s: %d, want %d (%s)", rows[i].from, rows[i].to, got, rows[i].want, rows[i].why);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(dibao_with_deduction_and_addon), cmocka_unit_test(gradual_exit),
	    cmocka_unit_test(tekun_leaves_household),	      cmocka_unit_test(single_person_in_marginal),
	    cmocka_unit_test(missing_policy_value_named),     cmocka_unit_test(epidemic_periods),
	};
	return cmocka_run_group_tests_name("assess", tests, setup, teardown);
}
