/* test_verification_report.c - the finding items of household economic
 * verification (codes, Chinese names, the short forms departments write)
 * and the report's renderings: every text escaped in the HTML, the
 * differing lines marked, the overdue source named, a workbook out, and
 * anything that is not a report refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/strbuf.h"
#include "service/verification_report.h"

static void test_items(void **state)
{
	(void)state;
	const struct verification_item *w = verification_item_find("wage");
	assert_non_null(w);
	assert_int_equal(w->kind, VITEM_INCOME);
	assert_ptr_equal(verification_item_find("工资性收入"), w);
	assert_ptr_equal(verification_item_find("工资"), w);
	assert_int_equal(verification_item_find("存款")->kind, VITEM_ASSET_AMOUNT);
	assert_int_equal(verification_item_find("车辆")->kind, VITEM_ASSET_COUNT);
	assert_int_equal(verification_item_find("无记录")->kind, VITEM_NONE);
	assert_int_equal(verification_item_find("enterprise")->kind, VITEM_FACT);
	assert_null(verification_item_find("salary"));
	assert_null(verification_item_find(""));
	assert_null(verification_item_find(NULL));
	assert_string_equal(verification_item_zh("house"), "房产");
	assert_string_equal(verification_item_zh("moon"), "moon");
}

static const char report[] =
    "{\"verification_id\":7,\"application_id\":3,\"household_id\":2,\"region\":\"500154001001\","
    "\"programme\":\"dibao\",\"built_on\":\"2026-11-24\",\"sources\":[{\"code\":\"tax\",\"name\":\"纳税记录\","
    "\"department\":\"税务部门\",\"request_no\":\"HC00000007-6\",\"state\":\"answered\",\"due_date\":\"2026-12-03\","
    "\"answered_at\":null},{\"code\":\"bank\",\"name\":\"存款\",\"department\":\"银行\",\"request_no\":\"HC00000007-"
    "7\","
    "\"state\":\"overdue\",\"due_date\":\"2026-11-01\",\"answered_at\":null}],\"overdue_sources\":1,\"members\":[{"
    "\"person_id\":1,\"name\":\"<script>alert(1)</script>\",\"id_number\":\"500154********0311\",\"relation\":\"head\","
    "\"incomes\":[{\"item\":\"wage\",\"declared\":\"800.00\",\"verified\":\"1500.00\",\"difference\":\"700.00\","
    "\"differs\":true,\"by\":[\"tax\"]},{\"item\":\"transfer\",\"declared\":\"50.00\",\"verified\":null,"
    "\"difference\":null,\"differs\":false,\"by\":[]}]}],\"assets\":[{\"item\":\"financial\",\"declared\":\"0.00\","
    "\"exempt\":\"0.00\",\"verified\":null,\"difference\":null,\"differs\":false,\"by\":[]},{\"item\":\"vehicle\","
    "\"declared\":0,\"exempt\":1,\"verified\":1,\"difference\":1,\"differs\":true,\"by\":[\"public_security\"]}],"
    "\"facts\":[{\"person_id\":1,\"name\":\"A&B\",\"item\":\"enterprise\",\"source\":\"market_regulation\","
    "\"quantity\":1,\"amount\":\"0.00\",\"note\":\"个体户\\\"小店\\\"\"}],\"differences\":2,\"assessment_before\":{"
    "\"determination\":\"dibao\",\"monthly_benefit\":\"420.00\"},\"assessment_after\":null}";

static void test_html(void **state)
{
	(void)state;
	struct strbuf o;
	strbuf_init(&o, 4096);
	dd_error err;
	dd_error_clear(&err);
	assert_int_equal(verification_report_html(report, sizeof report - 1, &o, &err), DD_OK);
	const char *h = o.buf;
	assert_non_null(strstr(h, "<h1>家庭经济状况核对报告</h1>"));
	assert_null(strstr(h, "<script>alert"));
	assert_non_null(strstr(h, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(h, "A&amp;B"));
	assert_non_null(strstr(h, "个体户&quot;小店&quot;"));
	assert_non_null(strstr(h, "逾期未回复（按申报数）"));
	assert_non_null(strstr(h, "<tr class=\"differs\"><td>&lt;script&gt;"));
	assert_non_null(strstr(h, "工资性收入"));
	assert_non_null(strstr(h, "最低生活保障，月救助金额 420.00 元"));
	/* two differing lines: the wage and the vehicle */
	int n = 0;
	for (const char *p = h; (p = strstr(p, "class=\"differs\"")); p++)
		n++;
	assert_int_equal(n, 2);
	strbuf_release(&o);
}

static void test_xlsx(void **state)
{
	(void)state;
	struct strbuf o;
	strbuf_init(&o, 4096);
	dd_error err;
	dd_error_clear(&err);
	assert_int_equal(verification_report_xlsx(report, sizeof report - 1, &o, &err), DD_OK);
	assert_true(o.len > 1000);
	assert_memory_equal(o.buf, "PK", 2);
	strbuf_release(&o);
}

static void test_not_a_report(void **state)
{
	(void)state;
	static const char *const bad[] = {"",
					  "[]",
					  "{\"members\":[]}",
					  "{\"members\":[],\"assets\":[]}",
					  "{",
					  "{\"members\":{},\"assets\":[],\"sources\":[]}"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct strbuf o;
		strbuf_init(&o, 64);
		dd_error err;
		dd_error_clear(&err);
		assert_int_equal(verification_report_html(bad[i], strlen(bad[i]), &o, &err), DD_EINVAL);
		assert_int_equal(verification_report_xlsx(bad[i], strlen(bad[i]), &o, &err), DD_EINVAL);
		strbuf_release(&o);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_items),
	    cmocka_unit_test(test_html),
	    cmocka_unit_test(test_xlsx),
	    cmocka_unit_test(test_not_a_report),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
