/* test_accounts.c - the pure rules of accounts: password rules, user names,
 * roles, who may create which account where, and who may register, reveal
 * and read the audit trail (authz). The store side
 * (logins, sessions, lockout) is covered by the API tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "service/authz.h"
#include "service/password.h"

static void password_rules(void **state)
{
	(void)state;
	dd_error err;
	static const char *const good[] = {
	    "Abcdefgh12",	   /* lower, upper, digit */
	    "abcdefgh1!",	   /* lower, digit, other */
	    "ABCDEFGH1!",	   /* upper, digit, other */
	    "Correct horse 1",	   /* a space is "other" */
	    "密码密码密码密码aA1", /* non-ASCII counts as other; 10+ characters */
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		if (password_rules_check("someone", good[i], strlen(good[i]), &err) != DD_OK)
			fail_msg("%s refused: %s", good[i], err.message);
	static const struct {
		const char *pw, *user, *why;
	} bad[] = {
	    {"Abcdefg12", "u", "9 characters"},
	    {"abcdefghijk", "u", "one class"},
	    {"abcdefghij12", "u", "two classes"},
	    {"密码密码密码密码密码", "u", "only other"},
	    {"Admin-2024-x", "admin-2024-X", "the user name, another case"},
	    {"Abc\tdefgh12", "u", "a control character"},
	    {"Abcdefgh12\xff", "u", "invalid UTF-8"},
	    {"Abcdefgh12\xed\xa0\x80", "u", "a surrogate"},
	    {"", "u", "empty"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		dd_error_clear(&err);
		if (password_rules_check(bad[i].user, bad[i].pw, strlen(bad[i].pw), &err) != DD_EINVAL)
			fail_msg("%s accepted (%s)", bad[i].pw, bad[i].why);
		assert_string_equal(err.field, "password");
	}
	/* short is counted in characters, not bytes: 9 Chinese characters and one
	 * letter are 10 characters but 28 bytes; 3 + 3 + 3 characters are 9 */
	assert_int_equal(password_rules_check("u", "密A1密A1密A1", strlen("密A1密A1密A1"), &err), DD_EINVAL);
	assert_non_null(strstr(err.message, "至少需要 10 个字符"));
	char longpw[PASSWORD_MAX_BYTES + 2];
	memset(longpw, 'a', sizeof longpw);
	memcpy(longpw, "A1", 2);
	assert_int_equal(password_rules_check("u", longpw, sizeof longpw, &err), DD_EINVAL);
	assert_int_equal(password_rules_check("u", longpw, PASSWORD_MAX_BYTES, &err), DD_OK);
}

static void usernames(void **state)
{
	(void)state;
	assert_true(username_valid("admin"));
	assert_true(username_valid("张三"));
	assert_false(username_valid(""));
	assert_false(username_valid("has space"));
	assert_false(username_valid("quote\""));
	assert_false(username_valid("back\\slash"));
	char n[USERNAME_MAX + 2];
	memset(n, 'a', sizeof n);
	n[USERNAME_MAX] = '\0';
	assert_true(username_valid(n));
	n[USERNAME_MAX] = 'a';
	n[USERNAME_MAX + 1] = '\0';
	assert_false(username_valid(n));
}

static void roles(void **state)
{
	(void)state;
	static const char *const names[] = {"village", "township", "county",	 "finance",	   "city",
					    "auditor", "admin",	   "department", "child_director", "child_supervisor"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		assert_string_equal(role_name(role_parse(names[i])), names[i]);
	assert_int_equal(role_parse("Admin"), ROLE_NONE);
	assert_int_equal(role_parse(""), ROLE_NONE);
	assert_int_equal(role_parse(NULL), ROLE_NONE);
	assert_int_equal(role_parse("child_directors"), ROLE_NONE);
}

static struct principal who(enum role r, const char *region)
{
	struct principal p;
	memset(&p, 0, sizeof p);
	p.role = r;
	assert_true(principal_set_region(&p, region));
	return p;
}

static void account_creation(void **state)
{
	(void)state;
	struct svc_error e;
	struct principal admin = who(ROLE_ADMIN, "000000"), county = who(ROLE_COUNTY, "500154");
	assert_string_equal(admin.scope, "");
	assert_string_equal(county.scope, "500154");
	assert_int_equal(authz_user_create(&admin, ROLE_ADMIN, "5001", &e), SVC_OK);
	assert_int_equal(authz_user_create(&admin, ROLE_AUDITOR, "", &e), SVC_OK);
	assert_int_equal(authz_user_create(&county, ROLE_COUNTY, "500154", &e), SVC_OK);
	assert_int_equal(authz_user_create(&county, ROLE_TOWNSHIP, "500154001", &e), SVC_OK);
	assert_int_equal(authz_user_create(&county, ROLE_VILLAGE, "500154001001", &e), SVC_OK);
	/* outside its region, or a parent region */
	assert_int_equal(authz_user_create(&county, ROLE_TOWNSHIP, "500155001", &e), SVC_FORBIDDEN);
	assert_string_equal(e.field, "region");
	assert_int_equal(authz_user_create(&county, ROLE_COUNTY, "5001", &e), SVC_FORBIDDEN);
	/* roles above or beside county */
	static const enum role above[] = {ROLE_FINANCE, ROLE_CITY, ROLE_AUDITOR, ROLE_ADMIN};
	for (size_t i = 0; i < sizeof above / sizeof above[0]; i++) {
		assert_int_equal(authz_user_create(&county, above[i], "500154", &e), SVC_FORBIDDEN);
		assert_string_equal(e.field, "role");
	}
	static const enum role none[] = {ROLE_VILLAGE, ROLE_TOWNSHIP, ROLE_FINANCE, ROLE_CITY, ROLE_AUDITOR};
	for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
		struct principal p = who(none[i], "500154001");
		assert_int_equal(authz_user_manage(&p, &e), SVC_FORBIDDEN);
		assert_string_equal(e.code, "FORBIDDEN");
		assert_int_equal(authz_user_create(&p, ROLE_VILLAGE, "500154001001", &e), SVC_FORBIDDEN);
	}
	struct principal p;
	memset(&p, 0, sizeof p);
	assert_false(principal_set_region(&p, "50a154"));
	assert_false(principal_set_region(&p, NULL));
	assert_true(authz_in_scope(&county, "500154001001"));
	assert_false(authz_in_scope(&county, "50015"));
}

static void household_scopes(void **state)
{
	(void)state;
	static const struct {
		const char *user, *asked;
		bool visible;
		const char *scope;
		const char *why;
	} rows[] = {
	    {"500154", "500154001", true, "500154001", "a township inside the county"},
	    {"500154001", "500154", true, "500154001", "asking wider keeps the caller's scope"},
	    {"500154001", "500154001", true, "500154001", "the same"},
	    {"500154001", "500154002", false, "", "another township"},
	    {"000000", "500154", true, "500154", "national narrowed to a county"},
	    {"500154", "500155", false, "", "another county"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct principal p = who(ROLE_COUNTY, rows[i].user);
		char sig[REGION_TEXT_MAX], out[REGION_TEXT_MAX] = "";
		dd_error err;
		assert_int_equal(region_parse(rows[i].asked, strlen(rows[i].asked), 6, sig, &err), DD_OK);
		bool v = authz_scope_narrow(&p, sig, out);
		if (v != rows[i].visible || (v && strcmp(out, rows[i].scope) != 0))
			fail_msg("%s asking %s (%s): %d \"%s\"", rows[i].user, rows[i].asked, rows[i].why, v, out);
	}
}

static void household_permissions(void **state)
{
	(void)state;
	/* role → may write households, may reveal, may read the audit trail */
	static const struct {
		enum role role;
		bool write, reveal, audit;
	} rows[] = {
	    {ROLE_VILLAGE, true, true, false},	 {ROLE_TOWNSHIP, true, true, false}, {ROLE_COUNTY, true, true, false},
	    {ROLE_FINANCE, false, false, false}, {ROLE_CITY, false, false, false},   {ROLE_AUDITOR, false, true, true},
	    {ROLE_ADMIN, false, false, true},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct principal p = who(rows[i].role, "500154");
		struct svc_error e;
		svc_error_clear(&e);
		if ((authz_household_write(&p, &e) == SVC_OK) != rows[i].write ||
		    (authz_household_reveal(&p, &e) == SVC_OK) != rows[i].reveal ||
		    (authz_audit_read(&p, &e) == SVC_OK) != rows[i].audit)
			fail_msg("role %s", role_name(rows[i].role));
	}
	struct principal town = who(ROLE_TOWNSHIP, "500154001");
	struct svc_error e;
	svc_error_clear(&e);
	assert_int_equal(authz_household_create(&town, "500154001003", &e), SVC_OK);
	assert_int_equal(authz_household_create(&town, "500154002003", &e), SVC_FORBIDDEN);
	assert_string_equal(e.code, "REGION_OUT_OF_SCOPE");
	assert_string_equal(e.field, "region");
	struct principal fin = who(ROLE_FINANCE, "500154");
	assert_int_equal(authz_household_create(&fin, "500154001003", &e), SVC_FORBIDDEN);
	assert_string_equal(e.code, "ROLE_NOT_ALLOWED");
	assert_int_equal(authz_household_reveal(&fin, &e), SVC_FORBIDDEN);
	assert_string_equal(e.field, "reveal");
}

/* A department user (部门经办人) is refused by every authz check and its
 * scope covers no region: it reaches referrals through its office only. */
static void department_denied(void **state)
{
	(void)state;
	struct principal p = who(ROLE_DEPARTMENT, "500154");
	snprintf(p.office, sizeof p.office, "%s", "kz-yb");
	struct svc_error e;
	svc_error_clear(&e);
	assert_string_equal(p.scope, AUTHZ_SCOPE_NONE);
	assert_false(authz_in_scope(&p, "500154"));
	assert_false(authz_in_scope(&p, "500154001"));
	assert_false(authz_in_scope(&p, ""));
	char narrow[REGION_TEXT_MAX];
	/* a national filter narrows to the empty scope, a county one to nothing */
	assert_true(authz_scope_narrow(&p, "", narrow));
	assert_string_equal(narrow, AUTHZ_SCOPE_NONE);
	assert_false(authz_scope_narrow(&p, "500154", narrow));
	assert_int_equal(authz_user_manage(&p, &e), SVC_FORBIDDEN);
	assert_int_equal(authz_user_create(&p, ROLE_VILLAGE, "500154001001", &e), SVC_FORBIDDEN);
	assert_int_equal(authz_reserve_view(&p, "500154001", &e), SVC_NOT_FOUND);
	assert_int_equal(authz_reserve_post(&p, AUTHZ_RESERVE_DRAW, "500154001", &e), SVC_NOT_FOUND);
	assert_int_equal(authz_household_write(&p, &e), SVC_FORBIDDEN);
	assert_int_equal(authz_household_create(&p, "500154001001", &e), SVC_FORBIDDEN);
	assert_int_equal(authz_household_reveal(&p, &e), SVC_FORBIDDEN);
	assert_int_equal(authz_monitor_run(&p, "运行数据比对", &e), SVC_FORBIDDEN);
	assert_int_equal(authz_stats_read(&p, &e), SVC_FORBIDDEN);
	assert_int_equal(authz_care_write(&p, &e), SVC_FORBIDDEN);
	assert_int_equal(authz_hotline_write(&p, "登记", &e), SVC_FORBIDDEN);
	assert_int_equal(authz_audit_read(&p, &e), SVC_FORBIDDEN);
	assert_int_equal(authz_verification_view(&p, &e), SVC_FORBIDDEN);
	assert_int_equal(authz_verification_write(&p, "发起核对", &e), SVC_FORBIDDEN);
	assert_int_equal(authz_referral_send(&p, &e), SVC_FORBIDDEN);
	assert_int_equal(authz_referral_answer(&p, &e), SVC_OK);
	/* without an office it answers nothing either */
	p.office[0] = '\0';
	assert_int_equal(authz_referral_answer(&p, &e), SVC_FORBIDDEN);
	/* the admin creates department users; a county may not */
	struct principal admin = who(ROLE_ADMIN, "000000"), county = who(ROLE_COUNTY, "500154");
	assert_int_equal(authz_user_create(&admin, ROLE_DEPARTMENT, "500154", &e), SVC_OK);
	assert_int_equal(authz_user_create(&county, ROLE_DEPARTMENT, "500154", &e), SVC_FORBIDDEN);
	struct principal town = who(ROLE_TOWNSHIP, "500154001");
	assert_int_equal(authz_referral_send(&town, &e), SVC_OK);
	assert_int_equal(authz_referral_answer(&town, &e), SVC_FORBIDDEN);
}

/* The child roles (儿童主任, 儿童督导员): their area's children and care
 * emergencies, nothing else; a director's region is a village, a
 * supervisor's a township. */
static void child_roles_denied(void **state)
{
	(void)state;
	struct svc_error e;
	svc_error_clear(&e);
	static const enum role rs[] = {ROLE_CHILD_DIRECTOR, ROLE_CHILD_SUPERVISOR};
	static const char *const regions[] = {"500154001001", "500154001"};
	for (size_t i = 0; i < 2; i++) {
		struct principal p = who(rs[i], regions[i]);
		assert_string_equal(p.scope, regions[i]);
		assert_true(authz_child_role(&p));
		assert_true(authz_in_scope(&p, "500154001001"));
		assert_false(authz_in_scope(&p, "500154002001"));
		assert_int_equal(authz_children_view(&p, &e), SVC_OK);
		assert_int_equal(authz_care_emergency_write(&p, &e), SVC_OK);
		assert_int_equal(authz_user_manage(&p, &e), SVC_FORBIDDEN);
		assert_int_equal(authz_user_create(&p, ROLE_VILLAGE, "500154001001", &e), SVC_FORBIDDEN);
		assert_int_equal(authz_reserve_view(&p, "500154001", &e), SVC_NOT_FOUND);
		assert_int_equal(authz_reserve_post(&p, AUTHZ_RESERVE_DRAW, "500154001", &e), SVC_NOT_FOUND);
		assert_int_equal(authz_household_write(&p, &e), SVC_FORBIDDEN);
		assert_int_equal(authz_household_create(&p, "500154001001", &e), SVC_FORBIDDEN);
		assert_int_equal(authz_household_reveal(&p, &e), SVC_FORBIDDEN);
		assert_int_equal(authz_monitor_run(&p, "运行数据比对", &e), SVC_FORBIDDEN);
		assert_int_equal(authz_stats_read(&p, &e), SVC_FORBIDDEN);
		assert_int_equal(authz_care_write(&p, &e), SVC_FORBIDDEN);
		assert_int_equal(authz_hotline_write(&p, "登记", &e), SVC_FORBIDDEN);
		assert_int_equal(authz_audit_read(&p, &e), SVC_FORBIDDEN);
		assert_int_equal(authz_verification_view(&p, &e), SVC_FORBIDDEN);
		assert_int_equal(authz_verification_write(&p, "发起核对", &e), SVC_FORBIDDEN);
		assert_int_equal(authz_referral_send(&p, &e), SVC_FORBIDDEN);
		assert_int_equal(authz_referral_answer(&p, &e), SVC_FORBIDDEN);
	}
	/* the other roles: the field staff see children and emergencies */
	struct principal town = who(ROLE_TOWNSHIP, "500154001"), fin = who(ROLE_FINANCE, "500154"),
			 dep = who(ROLE_DEPARTMENT, "500154");
	assert_false(authz_child_role(&town));
	assert_int_equal(authz_children_view(&town, &e), SVC_OK);
	assert_int_equal(authz_care_emergency_write(&town, &e), SVC_OK);
	assert_int_equal(authz_children_view(&fin, &e), SVC_FORBIDDEN);
	assert_int_equal(authz_care_emergency_write(&fin, &e), SVC_FORBIDDEN);
	assert_int_equal(authz_children_view(&dep, &e), SVC_FORBIDDEN);
	assert_int_equal(authz_care_emergency_write(&dep, &e), SVC_FORBIDDEN);
	/* who creates them, at which level */
	struct principal admin = who(ROLE_ADMIN, "000000"), county = who(ROLE_COUNTY, "500154");
	assert_int_equal(authz_user_create(&admin, ROLE_CHILD_DIRECTOR, "500154001001", &e), SVC_OK);
	assert_int_equal(authz_user_create(&admin, ROLE_CHILD_DIRECTOR, "500154001", &e), SVC_BAD_INPUT);
	assert_string_equal(e.code, "BAD_REGION_LEVEL");
	assert_string_equal(e.field, "region");
	assert_int_equal(authz_user_create(&admin, ROLE_CHILD_SUPERVISOR, "500154001", &e), SVC_OK);
	assert_int_equal(authz_user_create(&admin, ROLE_CHILD_SUPERVISOR, "500154001001", &e), SVC_BAD_INPUT);
	assert_int_equal(authz_user_create(&admin, ROLE_CHILD_SUPERVISOR, "500154", &e), SVC_BAD_INPUT);
	assert_int_equal(authz_user_create(&county, ROLE_CHILD_DIRECTOR, "500154001001", &e), SVC_OK);
	assert_int_equal(authz_user_create(&county, ROLE_CHILD_SUPERVISOR, "500154001", &e), SVC_OK);
	assert_int_equal(authz_user_create(&county, ROLE_CHILD_DIRECTOR, "500155001001", &e), SVC_FORBIDDEN);
	assert_int_equal(authz_user_create(&town, ROLE_CHILD_DIRECTOR, "500154001001", &e), SVC_FORBIDDEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(password_rules),	     cmocka_unit_test(usernames),
	    cmocka_unit_test(department_denied),     cmocka_unit_test(roles),
	    cmocka_unit_test(account_creation),	     cmocka_unit_test(household_scopes),
	    cmocka_unit_test(household_permissions), cmocka_unit_test(child_roles_denied),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
