/* test_household_scan.c - the single-pass household reader against the
 * general path (json_parse + household_read): whenever household_scan takes
 * a text, the general path must accept it too and give an equal household;
 * whenever the general path refuses a text, household_scan must not take it.
 * Checked on hand-written variants and on every one-byte deletion and
 * substitution of a full household. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../include/household_eq.h"
#include "core/household.h"

static const char base[] =
    "{\"region\":\"500154001\",\"area\":\"rural\",\"date\":\"2022-09-01\",\"current\":{\"programme\":\"dibao\","
    "\"monthly_benefit\":\"1200.00\",\"income_rise_month\":\"2022-08\"},\"members\":[{\"id\":\"500154198001010016\","
    "\"name\":\"张某\",\"relation\":\"head\",\"disability_grade\":3,\"disability_kind\":\"mental\",\"severe_illness\":"
    "false,\"labor_capacity\":\"partial\",\"self_care\":\"none\",\"in_school\":true,\"supporters\":\"unable\","
    "\"financial_assets\":12.5,\"incomes\":[{\"type\":\"wage\",\"amount\":1500.5,\"period\":\"year\",\"imputed\":"
    "true},{\"type\":\"basic_pension\",\"amount\":\"100\"}]},{\"id\":\"500154201001010010\",\"name\":\"李某\","
    "\"relation\":\"child\"}],\"assets\":{\"financial\":\"20000.00\",\"vehicles\":0,\"extra_houses\":1},"
    "\"expenses\":[{\"type\":\"medical\",\"amount\":\"12000.00\",\"period\":\"year\"}]}";

struct outcome {
	bool scanned, read;
};

/* Runs both readers on text; fails the test when they disagree. */
static struct outcome check(const char *text, size_t n, const dd_date *date)
{
	struct arena a1, a2;
	arena_init(&a1, 4096, 1u << 24);
	arena_init(&a2, 4096, 1u << 24);
	struct household h1, h2;
	dd_error err;
	struct json_value *doc;
	struct outcome o;
	o.scanned = household_scan(text, n, date, &a1, &h1);
	o.read =
	    json_parse(text, n, &a2, NULL, &doc, &err) == DD_OK && household_read(doc, date, &a2, &h2, &err) == DD_OK;
	if (o.scanned && (!o.read || !household_eq(&h1, &h2))) {
		print_error("household_scan took a text the general path %s: %.*s\n",
			    o.read ? "reads differently" : "refuses", (int)n, text);
		fail();
	}
	arena_release(&a1);
	arena_release(&a2);
	return o;
}

static void takes(const char *text)
{
	struct outcome o = check(text, strlen(text), NULL);
	if (!o.scanned || !o.read) {
		print_error("expected both paths to read: %s\n", text);
		fail();
	}
}

static void declines(const char *text)
{
	struct outcome o = check(text, strlen(text), NULL);
	if (o.scanned) {
		print_error("expected household_scan to leave it to the general path: %s\n", text);
		fail();
	}
}

static void test_base_and_forms(void **state)
{
	(void)state;
	takes(base);
	/* whitespace, nulls for optional members, keys in another order,
	 * amounts as numbers with exponents, empty lists */
	takes(" {\r\n\t\"members\" : [ { \"relation\" : \"head\", \"name\" : \"王\", \"id\" : \"500154198001010016\" } "
	      "] ,"
	      " \"area\":\"urban\", \"date\":\"2022-09-01\",\"region\":\"500154\" } \n");
	takes("{\"region\":\"500154\",\"area\":\"urban\",\"date\":\"2022-09-01\",\"current\":null,\"assets\":null,"
	      "\"expenses\":[],\"members\":[{\"id\":\"500154198001010016\",\"name\":\"\",\"relation\":\"head\","
	      "\"disability_kind\":null,\"disability_grade\":null,\"severe_illness\":null,\"labor_capacity\":null,"
	      "\"financial_assets\":1.5e2,\"incomes\":null}]}");
	/* the general path's business: escapes, unknown keys, a byte-order mark */
	declines("{\"region\":\"500154\",\"area\":\"urban\",\"date\":\"2022-09-01\",\"members\":[{\"id\":"
		 "\"500154198001010016\",\"name\":\"\\u738b\",\"relation\":\"head\"}]}");
	declines("{\"region\":\"500154\",\"area\":\"urban\",\"date\":\"2022-09-01\",\"note\":1,\"members\":[{\"id\":"
		 "\"500154198001010016\",\"name\":\"王\",\"relation\":\"head\"}]}");
	declines("\xEF\xBB\xBF{\"region\":\"500154\",\"area\":\"urban\",\"date\":\"2022-09-01\",\"members\":[{\"id\":"
		 "\"500154198001010016\",\"name\":\"王\",\"relation\":\"head\"}]}");
	/* refused by both: a duplicate key, a duplicate member, a birth after
	 * the date, a negative amount, a grade out of range, no members */
	declines(
	    "{\"region\":\"500154\",\"region\":\"500154\",\"area\":\"urban\",\"date\":\"2022-09-01\",\"members\":[{"
	    "\"id\":\"500154198001010016\",\"name\":\"王\",\"relation\":\"head\"}]}");
	declines(
	    "{\"region\":\"500154\",\"area\":\"urban\",\"date\":\"2022-09-01\",\"members\":[{\"id\":"
	    "\"500154198001010016\",\"name\":\"王\",\"relation\":\"head\"},{\"id\":\"500154198001010016\",\"name\":"
	    "\"王\",\"relation\":\"child\"}]}");
	declines("{\"region\":\"500154\",\"area\":\"urban\",\"date\":\"1979-09-01\",\"members\":[{\"id\":"
		 "\"500154198001010016\",\"name\":\"王\",\"relation\":\"head\"}]}");
	declines("{\"region\":\"500154\",\"area\":\"urban\",\"date\":\"2022-09-01\",\"members\":[{\"id\":"
		 "\"500154198001010016\",\"name\":\"王\",\"relation\":\"head\",\"financial_assets\":\"-1\"}]}");
	declines("{\"region\":\"500154\",\"area\":\"urban\",\"date\":\"2022-09-01\",\"members\":[{\"id\":"
		 "\"500154198001010016\",\"name\":\"王\",\"relation\":\"head\",\"disability_grade\":5}]}");
	declines("{\"region\":\"500154\",\"area\":\"urban\",\"date\":\"2022-09-01\",\"members\":[]}");
}

static void test_date_override(void **state)
{
	(void)state;
	dd_date d;
	dd_error err;
	assert_int_equal(date_parse("2023-01-01", 10, &d, &err), DD_OK);
	const char *no_date = "{\"region\":\"500154\",\"area\":\"urban\",\"members\":[{\"id\":\"500154198001010016\","
			      "\"name\":\"王\",\"relation\":\"head\"}]}";
	struct outcome o = check(no_date, strlen(no_date), &d);
	assert_true(o.scanned && o.read);
	o = check(no_date, strlen(no_date), NULL);
	assert_false(o.scanned || o.read);
}

/* Every one-byte deletion and substitution of the base household. */
static void test_mutations(void **state)
{
	(void)state;
	static const char subst[] = "\"\\,:{}[]0 9-.ex\n\x01\xe5\x80";
	size_t n = sizeof base - 1, taken = 0, refused = 0;
	char *buf = malloc(n + 1);
	assert_non_null(buf);
	for (size_t i = 0; i < n; i++) {
		memcpy(buf, base, i);
		memcpy(buf + i, base + i + 1, n - i - 1);
		struct outcome o = check(buf, n - 1, NULL);
		taken += o.scanned;
		refused += !o.read;
		for (size_t k = 0; k < sizeof subst - 1; k++) {
			memcpy(buf, base, n);
			buf[i] = subst[k];
			o = check(buf, n, NULL);
			taken += o.scanned;
			refused += !o.read;
		}
	}
	free(buf);
	/* both outcomes must actually occur, or the test proves nothing */
	assert_true(taken > 100);
	assert_true(refused > 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_base_and_forms),
	    cmocka_unit_test(test_date_override),
	    cmocka_unit_test(test_mutations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
