/* test_payroll.c - the payroll batch workflow (core/payroll.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/payroll.h"

static void the_happy_path_needs_each_role(void **state)
{
	(void)state;
	enum payroll_state to = PS_NONE;
	assert_int_equal(payroll_step(PS_DRAFT, PA_CHECK, "county", 0, 0, &to), PR_OK);
	assert_int_equal(to, PS_CHECKED);
	assert_int_equal(payroll_step(PS_CHECKED, PA_APPROVE, "finance", 0, 0, &to), PR_OK);
	assert_int_equal(to, PS_APPROVED);
	assert_int_equal(payroll_step(PS_APPROVED, PA_EXPORT, "finance", 0, 0, &to), PR_OK);
	assert_int_equal(to, PS_EXPORTED);
	assert_int_equal(payroll_step(PS_EXPORTED, PA_RECONCILE, "county", 0, 0, &to), PR_OK);
	assert_int_equal(to, PS_RECONCILED);
	/* the wrong role at each step */
	assert_int_equal(payroll_step(PS_DRAFT, PA_CHECK, "finance", 0, 0, &to), PR_ROLE);
	assert_int_equal(payroll_step(PS_CHECKED, PA_APPROVE, "county", 0, 0, &to), PR_ROLE);
	assert_int_equal(payroll_step(PS_APPROVED, PA_EXPORT, "township", 0, 0, &to), PR_ROLE);
	assert_int_equal(payroll_step(PS_DRAFT, PA_CHECK, "admin", 0, 0, &to), PR_ROLE);
}

static void findings_block_the_check_and_unanswered_payments_the_reconcile(void **state)
{
	(void)state;
	enum payroll_state to = PS_NONE;
	assert_int_equal(payroll_step(PS_DRAFT, PA_CHECK, "county", 1, 0, &to), PR_FINDINGS_OPEN);
	assert_int_equal(payroll_step(PS_EXPORTED, PA_RECONCILE, "finance", 0, 3, &to), PR_PAYMENTS_PENDING);
}

static void no_skipping_and_no_way_back_after_approval(void **state)
{
	(void)state;
	enum payroll_state to = PS_NONE;
	assert_int_equal(payroll_step(PS_DRAFT, PA_APPROVE, "finance", 0, 0, &to), PR_STATE);
	assert_int_equal(payroll_step(PS_DRAFT, PA_EXPORT, "finance", 0, 0, &to), PR_STATE);
	assert_int_equal(payroll_step(PS_APPROVED, PA_CANCEL, "county", 0, 0, &to), PR_STATE);
	assert_int_equal(payroll_step(PS_EXPORTED, PA_CANCEL, "county", 0, 0, &to), PR_STATE);
	assert_int_equal(payroll_step(PS_APPROVED, PA_REOPEN, "county", 0, 0, &to), PR_STATE);
	assert_int_equal(payroll_step(PS_CHECKED, PA_REOPEN, "county", 0, 0, &to), PR_OK);
	assert_int_equal(to, PS_DRAFT);
	assert_int_equal(payroll_step(PS_CHECKED, PA_CANCEL, "county", 0, 0, &to), PR_OK);
	assert_int_equal(to, PS_CANCELLED);
	assert_int_equal(payroll_step(PS_CANCELLED, PA_CHECK, "county", 0, 0, &to), PR_STATE);
}

static void codes_round_trip(void **state)
{
	(void)state;
	for (int s = PS_DRAFT; s <= PS_CANCELLED; s++) {
		assert_int_equal(payroll_state_parse(payroll_state_code((enum payroll_state)s)), s);
		assert_true(payroll_state_zh((enum payroll_state)s)[0] != '\0');
	}
	for (int a = PA_CHECK; a <= PA_REOPEN; a++)
		assert_int_equal(payroll_action_parse(payroll_action_code((enum payroll_action)a)), a);
	assert_int_equal(payroll_state_parse("sent"), PS_NONE);
	assert_int_equal(payroll_action_parse(NULL), PA_NONE);
}

static void periods(void **state)
{
	(void)state;
	char d[11];
	assert_true(payroll_period_parse("2026-11", d));
	assert_string_equal(d, "2026-11-01");
	assert_false(payroll_period_parse("2026-13", d));
	assert_false(payroll_period_parse("2026-00", d));
	assert_false(payroll_period_parse("2026-1", d));
	assert_false(payroll_period_parse("2026-011", d));
	assert_false(payroll_period_parse("1999-12", d));
	assert_false(payroll_period_parse("2026/11", d));
	assert_false(payroll_period_parse("２026-11", d));
	assert_false(payroll_period_parse(NULL, d));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(the_happy_path_needs_each_role),
	    cmocka_unit_test(findings_block_the_check_and_unanswered_payments_the_reconcile),
	    cmocka_unit_test(no_skipping_and_no_way_back_after_approval),
	    cmocka_unit_test(codes_round_trip),
	    cmocka_unit_test(periods),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
