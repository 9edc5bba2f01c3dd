/* test_casework.c - the procedure table (core/casework): transitions by
 * state, action and role with their guards, the deadline arithmetic on the
 * shipped holiday calendar, the review intervals, and docs/casework.md
 * against the compiled table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/calendar.h"
#include "core/casework.h"

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (run from the repository root)", path);
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)len + 1);
	*n = fread(buf, 1, (size_t)len, f);
	buf[*n] = '\0';
	fclose(f);
	return buf;
}

static dd_date D(const char *s)
{
	dd_date t;
	dd_error err;
	if (date_parse(s, strlen(s), &t, &err))
		fail_msg("bad date %s", s);
	return t;
}

static const char *S(dd_date t)
{
	static char buf[4][DATE_TEXT_MAX];
	static int k;
	k = (k + 1) % 4;
	if (t == CASE_NO_DATE)
		return "none";
	date_format(t, buf[k]);
	return buf[k];
}

/* One row per question: from, action, role, facts → result (and next state). */
static void transitions(void **state)
{
	(void)state;
	static const struct case_facts none = {0};
	static const struct case_facts notice = {.notice_over = true};
	static const struct case_facts deleg = {.township_approves = true, .notice_over = true};
	static const struct case_facts deleg_early = {.township_approves = true};
	static const struct case_facts deleg_rel = {
	    .township_approves = true, .close_relative = true, .notice_over = true};
	static const struct case_facts waiver = {.waiver_in_force = true};
	static const struct {
		enum case_state from;
		const char *action, *role;
		const struct case_facts *facts;
		enum case_refusal want;
		enum case_state to;
		const char *why;
	} rows[] = {
	    {CS_SUBMITTED, "accept", "township", &none, CW_OK, CS_ACCEPTED, "the township accepts"},
	    {CS_SUBMITTED, "accept", "village", &none, CW_BAD_ROLE, 0, "a village does not accept (DOMAIN.md)"},
	    {CS_SUBMITTED, "accept", "county", &none, CW_BAD_ROLE, 0, "nor the county"},
	    {CS_SUBMITTED, "accept", "admin", &none, CW_BAD_ROLE, 0, "admin has no part in the procedure"},
	    {CS_SUBMITTED, "verify", "township", &none, CW_BAD_STATE, 0, "verification needs acceptance first"},
	    {CS_ACCEPTED, "verify", "county", &none, CW_OK, CS_VERIFIED, "the county runs data checks"},
	    {CS_VERIFIED, "investigate", "village", &none, CW_OK, CS_INVESTIGATED, "the village records the visit"},
	    {CS_VERIFIED, "waive_investigation", "township", &none, CW_WAIVER_OFF, 0, "no waiver outside an epidemic"},
	    {CS_VERIFIED, "waive_investigation", "township", &waiver, CW_OK, CS_INVESTIGATED, "waiver in force"},
	    {CS_VERIFIED, "waive_investigation", "village", &waiver, CW_BAD_ROLE, 0, "only the township waives"},
	    {CS_INVESTIGATED, "review", "township", &none, CW_OK, CS_REVIEWED, "township review"},
	    {CS_REVIEWED, "publish_notice", "township", &none, CW_OK, CS_IN_NOTICE, "township publishes"},
	    {CS_IN_NOTICE, "approve", "county", &none, CW_NOTICE_NOT_OVER, 0, "notice still running"},
	    {CS_IN_NOTICE, "approve", "county", &notice, CW_OK, CS_APPROVED, "county approves after the notice"},
	    {CS_IN_NOTICE, "approve", "township", &notice, CW_NOT_DELEGATED, 0, "township without delegation"},
	    {CS_IN_NOTICE, "approve", "township", &deleg, CW_OK, CS_APPROVED, "delegated township approves"},
	    {CS_IN_NOTICE, "approve", "township", &deleg_early, CW_NOTICE_NOT_OVER, 0, "delegated, notice running"},
	    {CS_IN_NOTICE, "approve", "township", &deleg_rel, CW_CLOSE_RELATIVE, 0, "close relative: county only"},
	    {CS_IN_NOTICE, "approve", "county", &deleg_rel, CW_OK, CS_APPROVED, "county approves a flagged case"},
	    {CS_REVIEWED, "approve", "county", &notice, CW_BAD_STATE, 0, "no approval without a notice"},
	    {CS_ACCEPTED, "reject", "township", &none, CW_OK, CS_REJECTED, "township rejects before the notice"},
	    {CS_IN_NOTICE, "reject", "township", &none, CW_NOT_DELEGATED, 0, "in notice only the decider rejects"},
	    {CS_IN_NOTICE, "reject", "county", &none, CW_OK, CS_REJECTED, "county rejects in notice"},
	    {CS_APPROVED, "reject", "county", &notice, CW_BAD_STATE, 0, "a decided case is closed"},
	    {CS_REJECTED, "withdraw", "village", &none, CW_BAD_STATE, 0, "nothing after a refusal"},
	    {CS_IN_NOTICE, "withdraw", "village", &none, CW_OK, CS_WITHDRAWN, "withdrawal before the decision"},
	    {CS_SUBMITTED, "withdraw", "county", &none, CW_BAD_ROLE, 0, "the county does not withdraw"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		enum case_action a = case_action_parse(rows[i].action);
		assert_int_not_equal(a, CA_COUNT);
		enum case_state to = CS_COUNT;
		enum case_refusal r = casework_step(rows[i].from, a, rows[i].role, rows[i].facts, &to);
		if (r != rows[i].want)
			fail_msg("row %zu (%s): got %s, want %s", i, rows[i].why, case_refusal_code(r),
				 case_refusal_code(rows[i].want));
		if (r == CW_OK && to != rows[i].to)
			fail_msg("row %zu (%s): to %s", i, rows[i].why, case_state_code(to));
	}
}

/* Every final state has no way out; every open state can be rejected and
 * withdrawn; codes round-trip; every refusal has a code and a reason. */
static void table_invariants(void **state)
{
	(void)state;
	size_t n;
	const struct case_transition *t = casework_transitions(&n);
	assert_true(n > 10);
	for (size_t i = 0; i < n; i++) {
		assert_false(case_state_final(t[i].from));
		assert_true(t[i].roles != 0);
	}
	const struct case_facts all = {.township_approves = true, .notice_over = true, .waiver_in_force = true};
	for (int s = 0; s < CS_COUNT; s++) {
		assert_int_equal(case_state_parse(case_state_code((enum case_state)s)), s);
		unsigned any = casework_allowed((enum case_state)s, "township", &all) |
			       casework_allowed((enum case_state)s, "county", &all) |
			       casework_allowed((enum case_state)s, "village", &all);
		if (case_state_final((enum case_state)s)) {
			assert_int_equal(any, 0);
		} else {
			assert_true(any & (1u << CA_REJECT));
			assert_true(any & (1u << CA_WITHDRAW));
		}
	}
	for (int a = 0; a < CA_COUNT; a++)
		assert_int_equal(case_action_parse(case_action_code((enum case_action)a)), a);
	assert_int_equal(case_action_parse("approve "), CA_COUNT);
	assert_int_equal(case_state_parse(NULL), CS_COUNT);
	for (int r = CW_BAD_STATE; r <= CW_NOTICE_NOT_OVER; r++) {
		assert_true(strlen(case_refusal_code((enum case_refusal)r)) > 3);
		assert_true(strlen(case_refusal_zh((enum case_refusal)r)) > 6);
	}
	assert_int_equal(case_role_bit("township"), CR_TOWNSHIP);
	assert_int_equal(case_role_bit("auditor"), 0);
}

/* Deadlines on the shipped calendar (2022 National Day: 10-01..10-07 off,
 * 10-08 and 10-09 make-up working days). */
static void deadlines(void **state)
{
	(void)state;
	size_t n;
	char *text = slurp("policy/calendar-cn.json", &n);
	struct calendar cal;
	dd_error err;
	if (calendar_load(&cal, text, n, &err))
		fail_msg("%s: %s", err.field, err.message);
	static const struct case_times t = {.start_verification_workdays = 3,
					    .data_check_workdays = 3,
					    .public_notice_days = 7,
					    .county_decision_workdays = 10,
					    .refusal_notice_workdays = 3,
					    .total_workdays = 30,
					    .total_workdays_delegated = 20};
	static const struct case_times deleg = {.start_verification_workdays = 3,
						.data_check_workdays = 3,
						.public_notice_days = 7,
						.county_decision_workdays = 10,
						.refusal_notice_workdays = 3,
						.total_workdays = 30,
						.total_workdays_delegated = 20,
						.township_approves = true};
	static const struct {
		const struct case_times *t;
		enum case_state s;
		const char *entered, *accepted, *want, *why;
	} rows[] = {
	    {&t, CS_SUBMITTED, "2022-09-29", NULL, "2022-10-09",
	     "Thu + 3 wd: Fri, then the make-up Sat 10-08 and Sun 10-09"},
	    {&t, CS_SUBMITTED, "2022-09-26", NULL, "2022-09-29", "Mon + 3 wd, no holiday"},
	    {&t, CS_ACCEPTED, "2022-09-30", "2022-09-30", "2022-10-10", "Fri + 3 wd: 10-08, 10-09, 10-10"},
	    {&t, CS_VERIFIED, "2022-11-04", "2022-11-01", "2022-11-09", "Fri + 3 wd skips the weekend"},
	    {&t, CS_INVESTIGATED, "2022-11-07", "2022-11-01", "2022-12-13", "accepted + 30 wd"},
	    {&deleg, CS_INVESTIGATED, "2022-11-07", "2022-11-01", "2022-11-29", "delegated: accepted + 20 wd"},
	    {&t, CS_VERIFIED, "2022-12-12", "2022-11-01", "2022-12-13", "capped by the whole procedure"},
	    {&t, CS_IN_NOTICE, "2022-11-01", "2022-10-20", "2022-11-22", "notice to 11-08, then + 10 wd"},
	    {&t, CS_REJECTED, "2022-09-30", "2022-09-20", "2022-10-10", "written reasons in 3 wd"},
	    {&t, CS_APPROVED, "2022-09-30", "2022-09-20", NULL, "nothing pending"},
	    {&t, CS_WITHDRAWN, "2022-09-30", NULL, NULL, "nothing pending"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		dd_date acc = rows[i].accepted ? D(rows[i].accepted) : CASE_NO_DATE;
		dd_date due = casework_due(&cal, rows[i].t, rows[i].s, D(rows[i].entered), acc);
		const char *want = rows[i].want ? rows[i].want : "none";
		if (strcmp(S(due), want) != 0)
			fail_msg("row %zu (%s): due %s, want %s", i, rows[i].why, S(due), want);
	}
	/* the notice: published 11-01, its last day 11-08 */
	assert_string_equal(S(casework_notice_until(&t, D("2022-11-01"))), "2022-11-08");
	calendar_release(&cal);
	free(text);
}

static void reviews(void **state)
{
	(void)state;
	const struct review_times rt = {.stable_months = 12, .variable_months = 6, .after_death_months = 3};
	assert_int_equal(casework_review_kind(false, false, false), RK_STABLE);
	assert_int_equal(casework_review_kind(false, true, false), RK_VARIABLE);
	assert_int_equal(casework_review_kind(true, true, false), RK_STABLE); /* tekun: stable */
	assert_int_equal(casework_review_kind(true, true, true), RK_AFTER_DEATH);
	assert_string_equal(S(casework_review_due(&rt, RK_STABLE, D("2022-08-31"), CASE_NO_DATE)), "2023-08-31");
	assert_string_equal(S(casework_review_due(&rt, RK_VARIABLE, D("2022-08-31"), CASE_NO_DATE)), "2023-02-28");
	assert_string_equal(S(casework_review_due(&rt, RK_AFTER_DEATH, D("2022-01-10"), D("2022-05-31"))),
			    "2022-08-31");
	assert_string_equal(review_kind_code(RK_AFTER_DEATH), "after_death");
}

/* docs/casework.md holds exactly what casework_describe prints. */
static void docs_match_table(void **state)
{
	(void)state;
	size_t n;
	char *doc = slurp("docs/casework.md", &n);
	const char *start_mark = "<!-- generated: doudi casework table -->\n", *end_mark = "<!-- end generated -->";
	char *a = strstr(doc, start_mark), *b = a ? strstr(a, end_mark) : NULL;
	if (!a || !b)
		fail_msg("docs/casework.md lacks the generated markers");
	a += strlen(start_mark);
	struct strbuf sb;
	strbuf_init(&sb, 8192);
	casework_describe(&sb);
	assert_false(sb.failed);
	if ((size_t)(b - a) != sb.len || memcmp(a, sb.buf, sb.len) != 0)
		fail_msg("docs/casework.md differs from the table: regenerate it with `doudi casework table`");
	strbuf_release(&sb);
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(transitions), cmocka_unit_test(table_invariants), cmocka_unit_test(deadlines),
	    cmocka_unit_test(reviews),	   cmocka_unit_test(docs_match_table),
	};
	return cmocka_run_group_tests_name("casework", tests, NULL, NULL);
}
