/* test_import_row.c - IMPORT.md's header, vocabularies (both languages),
 * per-column errors, household rules, the ID index, export and rejects rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/csv.h"
#include "core/encoding.h"
#include "core/import_row.h"

/* --- helpers --- */

#define MAXF 40

struct rec {
	struct csv_field f[MAXF];
	struct csv_record r;
};

/* A record from NULL-terminated strings. */
static struct csv_record *mkrec(struct rec *x, uint64_t line, const char *const *cells)
{
	size_t n = 0;
	for (; cells[n]; n++) {
		x->f[n].p = cells[n];
		x->f[n].n = strlen(cells[n]);
	}
	x->r.fields = x->f;
	x->r.n_fields = n;
	x->r.line = line;
	x->r.offset = 0;
	return &x->r;
}

static const char *const en_header[] = {"household_no",
					"region",
					"area",
					"id",
					"name",
					"relation",
					"disability_grade",
					"disability_kind",
					"severe_illness",
					"labor_capacity",
					"self_care",
					"in_school",
					"supporters",
					"wage_month",
					"business_month",
					"property_month",
					"transfer_month",
					"basic_pension_month",
					NULL};
static const char *const zh_header[] = {
    "户编号",	    "区划代码",	    "城乡类别",	    "身份证号",	    "姓名",	"与户主关系", "残疾等级",
    "残疾类别",	    "是否重病",	    "劳动能力",	    "自理能力",	    "是否在校", "赡养人情况", "月工资性收入",
    "月经营净收入", "月财产净收入", "月转移净收入", "月基础养老金", NULL};

static struct import_header header_en(void)
{
	struct rec x;
	struct import_header h;
	dd_error err;
	assert_int_equal(import_header_read(mkrec(&x, 1, en_header), &h, &err), DD_OK);
	return h;
}

/* A valid ID number from 17 digits. */
static void mkid(const char *d17, char out[19])
{
	memcpy(out, d17, 17);
	out[17] = idnum_check_char(d17);
	out[18] = '\0';
}

static dd_date today(void)
{
	return date_from_ymd(2025, 6, 30);
}

/* Cells of one good member (English header order), as a mutable array. */
struct row {
	const char *c[IMPORT_COL__COUNT + 1];
	char id[19];
};

static void good_row(struct row *r, const char *hno, const char *d17, const char *relation)
{
	memset(r, 0, sizeof *r);
	mkid(d17, r->id);
	r->c[IMPORT_COL_HOUSEHOLD_NO] = hno;
	r->c[IMPORT_COL_REGION] = "500154001001";
	r->c[IMPORT_COL_AREA] = "rural";
	r->c[IMPORT_COL_ID] = r->id;
	r->c[IMPORT_COL_NAME] = "张三";
	r->c[IMPORT_COL_RELATION] = relation;
	for (int c = IMPORT_COL_DISABILITY_GRADE; c < IMPORT_COL__COUNT; c++)
		r->c[c] = "";
	r->c[IMPORT_COL__COUNT] = NULL;
}

static dd_status read_row(const struct import_header *h, struct row *r, uint64_t line, struct import_person *p,
			  dd_error *err)
{
	struct rec x;
	dd_error_clear(err);
	dd_status rc = import_row_read(h, mkrec(&x, line, r->c), today(), p, err);
	assert_true(utf8_valid(err->message, strlen(err->message)));
	return rc;
}

/* --- header --- */

static void header(void **state)
{
	(void)state;
	struct rec x;
	struct import_header h;
	dd_error err;
	assert_int_equal(import_header_read(mkrec(&x, 1, en_header), &h, &err), DD_OK);
	for (int c = 0; c < IMPORT_COL__COUNT; c++)
		assert_int_equal(h.field_of[c], c);
	assert_int_equal(import_header_read(mkrec(&x, 1, zh_header), &h, &err), DD_OK);
	for (int c = 0; c < IMPORT_COL__COUNT; c++)
		assert_int_equal(h.field_of[c], c);
	/* mixed, reordered, trimmed, upper case, a BOM left on, unknown extras */
	static const char *const mixed[] = {"\xEF\xBB\xBF 姓名 ", "备注",     "ID", "\xE3\x80\x80户编号", "Region",
					    "城乡类别",		  "relation", "",   "wage_month",	  NULL};
	assert_int_equal(import_header_read(mkrec(&x, 1, mixed), &h, &err), DD_OK);
	assert_int_equal(h.field_of[IMPORT_COL_NAME], 0);
	assert_int_equal(h.field_of[IMPORT_COL_ID], 2);
	assert_int_equal(h.field_of[IMPORT_COL_HOUSEHOLD_NO], 3);
	assert_int_equal(h.field_of[IMPORT_COL_REGION], 4);
	assert_int_equal(h.field_of[IMPORT_COL_AREA], 5);
	assert_int_equal(h.field_of[IMPORT_COL_RELATION], 6);
	assert_int_equal(h.field_of[IMPORT_COL_WAGE_MONTH], 8);
	assert_int_equal(h.field_of[IMPORT_COL_SELF_CARE], -1);
	assert_int_equal(h.n_fields, 9);
	/* duplicates: the same name twice, or English and Chinese */
	static const char *const dup[] = {"household_no", "region", "area", "id", "name", "relation", "姓名", NULL};
	assert_int_equal(import_header_read(mkrec(&x, 1, dup), &h, &err), DD_EINVAL);
	assert_string_equal(err.field, "name");
	assert_non_null(strstr(err.message, "“姓名 (name)”列重复：第5列和第7列"));
	static const char *const dup2[] = {"household_no", "region",	 "area",       "id", "name",
					   "relation",	   "wage_month", "WAGE_MONTH", NULL};
	assert_int_equal(import_header_read(mkrec(&x, 1, dup2), &h, &err), DD_EINVAL);
	assert_string_equal(err.field, "wage_month");
	/* missing required columns: all named */
	static const char *const missing[] = {"household_no", "area", "name", "备注", NULL};
	assert_int_equal(import_header_read(mkrec(&x, 1, missing), &h, &err), DD_EINVAL);
	assert_string_equal(err.field, "region");
	assert_non_null(strstr(err.message, "区划代码 (region)、身份证号 (id)、与户主关系 (relation)"));
	assert_true(utf8_valid(err.message, strlen(err.message)));
	/* a duplicated unknown column is fine */
	static const char *const extra[] = {"household_no", "region", "area", "id", "name", "relation", "x", "x", NULL};
	assert_int_equal(import_header_read(mkrec(&x, 1, extra), &h, &err), DD_OK);
	for (int c = 0; c < IMPORT_COL__COUNT; c++) {
		assert_string_equal(import_col_name((enum import_col)c), en_header[c]);
		assert_string_equal(import_col_zh((enum import_col)c), zh_header[c]);
		assert_int_equal(import_col_required((enum import_col)c), c <= IMPORT_COL_RELATION);
	}
	assert_int_equal(import_amount_income(0), INC_WAGE);
	assert_int_equal(import_amount_income(4), INC_BASIC_PENSION);
}

/* --- rows --- */

static void good_and_defaults(void **state)
{
	(void)state;
	struct import_header h = header_en();
	struct row r;
	good_row(&r, " H-001 ", "50015419800101001", "head");
	r.c[IMPORT_COL_NAME] = "\xE3\x80\x80张三 ";
	struct import_person p;
	dd_error err;
	assert_int_equal(read_row(&h, &r, 7, &p, &err), DD_OK);
	assert_int_equal(p.line, 7);
	assert_string_equal(p.household_no, "H-001");
	assert_string_equal(p.region, "500154001001");
	assert_string_equal(p.region_sig, "500154001001");
	assert_int_equal(p.area, AREA_RURAL);
	assert_string_equal(p.id.text, r.id);
	assert_string_equal(p.name, "张三");
	assert_int_equal(p.relation, REL_HEAD);
	/* ASSESS.md's defaults for empty optional cells */
	assert_int_equal(p.disability_grade, 0);
	assert_int_equal(p.disability_kind, DIS_NONE);
	assert_false(p.severe_illness);
	assert_int_equal(p.labor_capacity, LEVEL_FULL);
	assert_int_equal(p.self_care, LEVEL_FULL);
	assert_false(p.in_school);
	assert_int_equal(p.supporters, SUPPORTERS_ABLE);
	for (int k = 0; k < IMPORT_AMOUNTS; k++)
		assert_false(import_has_amount(&p, k));
	assert_int_equal(p.valid, (1u << IMPORT_COL__COUNT) - 1);
	/* optional columns missing from the header altogether: same defaults */
	static const char *const short_header[] = {"id", "name", "relation", "household_no", "region", "area", NULL};
	struct rec x;
	struct import_header hs;
	assert_int_equal(import_header_read(mkrec(&x, 1, short_header), &hs, &err), DD_OK);
	const char *cells[] = {r.id, "李四", "配偶", "H-001", "500154001", "农村", NULL};
	assert_int_equal(import_row_read(&hs, mkrec(&x, 3, cells), today(), &p, &err), DD_OK);
	assert_int_equal(p.relation, REL_SPOUSE);
	assert_string_equal(p.region_sig, "500154001");
	assert_int_equal(p.supporters, SUPPORTERS_ABLE);
	/* fewer cells than the header: missing ones are empty */
	const char *few[] = {"H-1", "500154", "urban", r.id, "王五", "head", NULL};
	assert_int_equal(import_row_read(&h, mkrec(&x, 4, few), today(), &p, &err), DD_OK);
	assert_int_equal(p.area, AREA_URBAN);
	/* lower-case x in an ID number is normalised */
	char xid[19];
	for (int i = 0; i < 1000; i++) {
		char d17[18];
		snprintf(d17, sizeof d17, "50015419800101%03u", (unsigned)i % 1000u);
		mkid(d17, xid);
		if (xid[17] == 'X')
			break;
	}
	assert_int_equal(xid[17], 'X');
	xid[17] = 'x';
	good_row(&r, "H-1", "50015419800101001", "head");
	r.c[IMPORT_COL_ID] = xid;
	assert_int_equal(read_row(&h, &r, 2, &p, &err), DD_OK);
	assert_int_equal(p.id.text[17], 'X');
}

struct vocab_case {
	enum import_col col;
	const char *text;
	int value;
};

static int value_of(const struct import_person *p, enum import_col c)
{
	switch (c) {
	case IMPORT_COL_AREA:
		return (int)p->area;
	case IMPORT_COL_RELATION:
		return (int)p->relation;
	case IMPORT_COL_DISABILITY_GRADE:
		return p->disability_grade;
	case IMPORT_COL_DISABILITY_KIND:
		return (int)p->disability_kind;
	case IMPORT_COL_SEVERE_ILLNESS:
		return p->severe_illness;
	case IMPORT_COL_LABOR_CAPACITY:
		return (int)p->labor_capacity;
	case IMPORT_COL_SELF_CARE:
		return (int)p->self_care;
	case IMPORT_COL_IN_SCHOOL:
		return p->in_school;
	case IMPORT_COL_SUPPORTERS:
		return (int)p->supporters;
	default:
		fail_msg("no value for column %d", c);
	}
	return -1;
}

static void vocabularies(void **state)
{
	(void)state;
	static const struct vocab_case cases[] = {
	    {IMPORT_COL_AREA, "urban", AREA_URBAN},
	    {IMPORT_COL_AREA, "城市", AREA_URBAN},
	    {IMPORT_COL_AREA, "rural", AREA_RURAL},
	    {IMPORT_COL_AREA, "农村", AREA_RURAL},
	    {IMPORT_COL_AREA, " Rural ", AREA_RURAL},
	    {IMPORT_COL_RELATION, "head", REL_HEAD},
	    {IMPORT_COL_RELATION, "户主", REL_HEAD},
	    {IMPORT_COL_RELATION, "spouse", REL_SPOUSE},
	    {IMPORT_COL_RELATION, "配偶", REL_SPOUSE},
	    {IMPORT_COL_RELATION, "child", REL_CHILD},
	    {IMPORT_COL_RELATION, "子女", REL_CHILD},
	    {IMPORT_COL_RELATION, "parent", REL_PARENT},
	    {IMPORT_COL_RELATION, "父母", REL_PARENT},
	    {IMPORT_COL_RELATION, "grandparent", REL_GRANDPARENT},
	    {IMPORT_COL_RELATION, "祖父母", REL_GRANDPARENT},
	    {IMPORT_COL_RELATION, "grandchild", REL_GRANDCHILD},
	    {IMPORT_COL_RELATION, "孙子女", REL_GRANDCHILD},
	    {IMPORT_COL_RELATION, "sibling", REL_SIBLING},
	    {IMPORT_COL_RELATION, "兄弟姐妹", REL_SIBLING},
	    {IMPORT_COL_RELATION, "other", REL_OTHER},
	    {IMPORT_COL_RELATION, "其他", REL_OTHER},
	    {IMPORT_COL_RELATION, "HEAD", REL_HEAD},
	    {IMPORT_COL_DISABILITY_GRADE, "0", 0},
	    {IMPORT_COL_DISABILITY_GRADE, "1", 1},
	    {IMPORT_COL_DISABILITY_GRADE, "2", 2},
	    {IMPORT_COL_DISABILITY_GRADE, "3", 3},
	    {IMPORT_COL_DISABILITY_GRADE, "4", 4},
	    {IMPORT_COL_DISABILITY_GRADE, "", 0},
	    {IMPORT_COL_DISABILITY_KIND, "physical", DIS_PHYSICAL},
	    {IMPORT_COL_DISABILITY_KIND, "肢体", DIS_PHYSICAL},
	    {IMPORT_COL_DISABILITY_KIND, "visual", DIS_VISUAL},
	    {IMPORT_COL_DISABILITY_KIND, "视力", DIS_VISUAL},
	    {IMPORT_COL_DISABILITY_KIND, "hearing", DIS_HEARING},
	    {IMPORT_COL_DISABILITY_KIND, "听力", DIS_HEARING},
	    {IMPORT_COL_DISABILITY_KIND, "speech", DIS_SPEECH},
	    {IMPORT_COL_DISABILITY_KIND, "言语", DIS_SPEECH},
	    {IMPORT_COL_DISABILITY_KIND, "intellectual", DIS_INTELLECTUAL},
	    {IMPORT_COL_DISABILITY_KIND, "智力", DIS_INTELLECTUAL},
	    {IMPORT_COL_DISABILITY_KIND, "mental", DIS_MENTAL},
	    {IMPORT_COL_DISABILITY_KIND, "精神", DIS_MENTAL},
	    {IMPORT_COL_DISABILITY_KIND, "multiple", DIS_MULTIPLE},
	    {IMPORT_COL_DISABILITY_KIND, "多重", DIS_MULTIPLE},
	    {IMPORT_COL_DISABILITY_KIND, "none", DIS_NONE},
	    {IMPORT_COL_DISABILITY_KIND, "无", DIS_NONE},
	    {IMPORT_COL_DISABILITY_KIND, "", DIS_NONE},
	    {IMPORT_COL_SEVERE_ILLNESS, "true", 1},
	    {IMPORT_COL_SEVERE_ILLNESS, "是", 1},
	    {IMPORT_COL_SEVERE_ILLNESS, "false", 0},
	    {IMPORT_COL_SEVERE_ILLNESS, "否", 0},
	    {IMPORT_COL_SEVERE_ILLNESS, "TRUE", 1},
	    {IMPORT_COL_SEVERE_ILLNESS, "", 0},
	    {IMPORT_COL_IN_SCHOOL, "true", 1},
	    {IMPORT_COL_IN_SCHOOL, "是", 1},
	    {IMPORT_COL_IN_SCHOOL, "false", 0},
	    {IMPORT_COL_IN_SCHOOL, "否", 0},
	    {IMPORT_COL_LABOR_CAPACITY, "full", LEVEL_FULL},
	    {IMPORT_COL_LABOR_CAPACITY, "有", LEVEL_FULL},
	    {IMPORT_COL_LABOR_CAPACITY, "partial", LEVEL_PARTIAL},
	    {IMPORT_COL_LABOR_CAPACITY, "部分", LEVEL_PARTIAL},
	    {IMPORT_COL_LABOR_CAPACITY, "none", LEVEL_NONE},
	    {IMPORT_COL_LABOR_CAPACITY, "无", LEVEL_NONE},
	    {IMPORT_COL_LABOR_CAPACITY, "", LEVEL_FULL},
	    {IMPORT_COL_SELF_CARE, "full", LEVEL_FULL},
	    {IMPORT_COL_SELF_CARE, "全自理", LEVEL_FULL},
	    {IMPORT_COL_SELF_CARE, "partial", LEVEL_PARTIAL},
	    {IMPORT_COL_SELF_CARE, "半失能", LEVEL_PARTIAL},
	    {IMPORT_COL_SELF_CARE, "none", LEVEL_NONE},
	    {IMPORT_COL_SELF_CARE, "全失能", LEVEL_NONE},
	    {IMPORT_COL_SELF_CARE, "", LEVEL_FULL},
	    {IMPORT_COL_SUPPORTERS, "able", SUPPORTERS_ABLE},
	    {IMPORT_COL_SUPPORTERS, "有能力", SUPPORTERS_ABLE},
	    {IMPORT_COL_SUPPORTERS, "unable", SUPPORTERS_UNABLE},
	    {IMPORT_COL_SUPPORTERS, "无能力", SUPPORTERS_UNABLE},
	    {IMPORT_COL_SUPPORTERS, "none", SUPPORTERS_NONE},
	    {IMPORT_COL_SUPPORTERS, "无", SUPPORTERS_NONE},
	    {IMPORT_COL_SUPPORTERS, "", SUPPORTERS_ABLE},
	};
	struct import_header h = header_en();
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct row r;
		good_row(&r, "H-1", "50015419800101001", "head");
		r.c[cases[i].col] = cases[i].text;
		struct import_person p;
		dd_error err;
		if (read_row(&h, &r, 2, &p, &err) != DD_OK)
			fail_msg("%s = \"%s\": %s", import_col_name(cases[i].col), cases[i].text, err.message);
		if (value_of(&p, cases[i].col) != cases[i].value)
			fail_msg("%s = \"%s\" gave %d", import_col_name(cases[i].col), cases[i].text,
				 value_of(&p, cases[i].col));
	}
}

static void amounts(void **state)
{
	(void)state;
	struct import_header h = header_en();
	static const struct {
		const char *text;
		fen_t fen;
	} ok[] = {{"1234.56", 123456}, {"0", 0}, {"12.3", 1230}, {"0.05", 5}, {" 800 ", 80000}, {"007.10", 710}};
	for (int k = 0; k < IMPORT_AMOUNTS; k++)
		for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
			struct row r;
			good_row(&r, "H-1", "50015419800101001", "head");
			r.c[IMPORT_COL_WAGE_MONTH + k] = ok[i].text;
			struct import_person p;
			dd_error err;
			assert_int_equal(read_row(&h, &r, 2, &p, &err), DD_OK);
			assert_true(import_has_amount(&p, k));
			assert_int_equal(p.amount[k], ok[i].fen);
			for (int j = 0; j < IMPORT_AMOUNTS; j++)
				if (j != k)
					assert_false(import_has_amount(&p, j));
		}
}

struct bad_case {
	enum import_col col;
	const char *text;
	const char *reason; /* a piece of the message after "中文 (english): " */
};

static void bad_values(void **state)
{
	(void)state;
	static const struct bad_case cases[] = {
	    {IMPORT_COL_HOUSEHOLD_NO, "", "缺少必填字段 (missing required field)"},
	    {IMPORT_COL_HOUSEHOLD_NO, "H\t1", "控制字符"},
	    {IMPORT_COL_HOUSEHOLD_NO, "12345678901234567890123456789012345678901234567890123456789012345",
	     "超过64字节"},
	    {IMPORT_COL_REGION, "", "缺少必填字段"},
	    {IMPORT_COL_REGION, "50015", "6至12位"},
	    {IMPORT_COL_REGION, "5001540010011", "6至12位"},
	    {IMPORT_COL_REGION, "5.00154E+11", "数字"},
	    {IMPORT_COL_AREA, "", "缺少必填字段"},
	    {IMPORT_COL_AREA, "城镇", "无法识别“城镇”，应为 城市/农村 或 urban/rural"},
	    {IMPORT_COL_ID, "", "缺少必填字段"},
	    {IMPORT_COL_ID, "50015419800101001", "18位"},
	    {IMPORT_COL_ID, "500154198001010019", "校验码"},
	    {IMPORT_COL_ID, "500154198002300012", "出生日期不存在"},
	    {IMPORT_COL_ID, "５００１５４１９８００１０１００１６", "18位"},
	    {IMPORT_COL_NAME, "", "缺少必填字段"},
	    {IMPORT_COL_NAME, " \xE3\x80\x80 ", "缺少必填字段"},
	    {IMPORT_COL_NAME, "张\n三", "控制字符"},
	    {IMPORT_COL_RELATION, "", "缺少必填字段"},
	    {IMPORT_COL_RELATION, "表亲",
	     "无法识别“表亲”，应为 户主/配偶/子女/父母/祖父母/孙子女/兄弟姐妹/其他 或 "
	     "head/spouse/child/parent/grandparent/grandchild/sibling/other"},
	    {IMPORT_COL_RELATION, "cousin", "无法识别“cousin”"},
	    {IMPORT_COL_DISABILITY_GRADE, "5", "“5”不是0至4"},
	    {IMPORT_COL_DISABILITY_GRADE, "一级", "不是0至4"},
	    {IMPORT_COL_DISABILITY_GRADE, "1.0", "不是0至4"},
	    {IMPORT_COL_DISABILITY_GRADE, "-1", "不是0至4"},
	    {IMPORT_COL_DISABILITY_KIND, "腿", "无法识别“腿”"},
	    {IMPORT_COL_SEVERE_ILLNESS, "yes", "应为 否/是 或 false/true"},
	    {IMPORT_COL_SEVERE_ILLNESS, "1", "无法识别"},
	    {IMPORT_COL_LABOR_CAPACITY, "完全", "应为 有/部分/无 或 full/partial/none"},
	    {IMPORT_COL_SELF_CARE, "有", "应为 全自理/半失能/全失能 或 full/partial/none"},
	    {IMPORT_COL_IN_SCHOOL, "在校", "无法识别"},
	    {IMPORT_COL_SUPPORTERS, "有", "应为 有能力/无能力/无 或 able/unable/none"},
	    {IMPORT_COL_WAGE_MONTH, "12.345", "最多两位小数"},
	    {IMPORT_COL_WAGE_MONTH, "abc", "“abc”：金额格式错误"},
	    {IMPORT_COL_BUSINESS_MONTH, "-5.00", "不能为负数"},
	    {IMPORT_COL_PROPERTY_MONTH, "1,200.00", "金额格式错误"},
	    {IMPORT_COL_TRANSFER_MONTH, "1e3", "金额格式错误"},
	    {IMPORT_COL_BASIC_PENSION_MONTH, "99999999999999999999", "超出"},
	    {IMPORT_COL_BASIC_PENSION_MONTH, "¥100", "金额格式错误"},
	};
	struct import_header h = header_en();
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct row r;
		good_row(&r, "H-1", "50015419800101001", "head");
		r.c[cases[i].col] = cases[i].text;
		struct import_person p;
		dd_error err;
		if (read_row(&h, &r, 2, &p, &err) != DD_EINVAL)
			fail_msg("%s = \"%s\" accepted", import_col_name(cases[i].col), cases[i].text);
		char prefix[128];
		snprintf(prefix, sizeof prefix, "%s (%s): ", import_col_zh(cases[i].col),
			 import_col_name(cases[i].col));
		if (strncmp(err.message, prefix, strlen(prefix)) != 0 || !strstr(err.message, cases[i].reason) ||
		    strcmp(err.field, import_col_name(cases[i].col)) != 0)
			fail_msg("%s = \"%s\": field %s, message %s", import_col_name(cases[i].col), cases[i].text,
				 err.field, err.message);
		/* the other columns are still usable */
		assert_int_equal(p.valid, ((1u << IMPORT_COL__COUNT) - 1) & ~IMPORT_BIT(cases[i].col));
	}
}

static void id_rules(void **state)
{
	(void)state;
	struct import_header h = header_en();
	struct row r;
	struct import_person p;
	dd_error err;
	/* born on "today" is fine, the day after is not (today is a parameter) */
	good_row(&r, "H-1", "50015420250630001", "head");
	assert_int_equal(read_row(&h, &r, 2, &p, &err), DD_OK);
	good_row(&r, "H-1", "50015420250701001", "head");
	assert_int_equal(read_row(&h, &r, 2, &p, &err), DD_EINVAL);
	assert_string_equal(err.message, "身份证号 (id): 出生日期晚于今天 (birth date in the future)");
	/* the brief's example: a bad check digit named in both languages */
	good_row(&r, "H-1", "50015419800101001", "head");
	r.c[IMPORT_COL_ID] = "500154198001010019";
	assert_int_equal(read_row(&h, &r, 2, &p, &err), DD_EINVAL);
	assert_string_equal(err.message, "身份证号 (id): 身份证号校验码错误 (check digit mismatch)");
	assert_false(p.valid & IMPORT_BIT(IMPORT_COL_ID));
	assert_true(p.valid & IMPORT_BIT(IMPORT_COL_HOUSEHOLD_NO));
}

static void several_errors_and_extras(void **state)
{
	(void)state;
	struct import_header h = header_en();
	struct row r;
	struct import_person p;
	dd_error err;
	good_row(&r, "H-9", "50015419800101001", "表亲");
	r.c[IMPORT_COL_NAME] = "";
	r.c[IMPORT_COL_WAGE_MONTH] = "x";
	assert_int_equal(read_row(&h, &r, 5, &p, &err), DD_EINVAL);
	/* the first bad column in table order, then a count */
	assert_string_equal(err.field, "name");
	assert_non_null(
	    strstr(err.message, "姓名 (name): 缺少必填字段 (missing required field)；另有2处错误 (2 more)"));
	/* household_no and id still usable for the file-wide bookkeeping */
	assert_string_equal(p.household_no, "H-9");
	assert_true(p.valid & IMPORT_BIT(IMPORT_COL_ID));
	/* data beyond the header */
	good_row(&r, "H-9", "50015419800101001", "head");
	const char *cells[IMPORT_COL__COUNT + 3];
	memcpy(cells, r.c, sizeof r.c);
	cells[IMPORT_COL__COUNT] = " ";
	cells[IMPORT_COL__COUNT + 1] = NULL;
	struct rec x;
	assert_int_equal(import_row_read(&h, mkrec(&x, 3, cells), today(), &p, &err), DD_OK);
	cells[IMPORT_COL__COUNT + 1] = "李四";
	cells[IMPORT_COL__COUNT + 2] = NULL;
	assert_int_equal(import_row_read(&h, mkrec(&x, 3, cells), today(), &p, &err), DD_EINVAL);
	assert_non_null(strstr(err.message, "第20列：表头之外有数据"));
	/* a long unknown value is cut at a character boundary in the message */
	good_row(&r, "H-9", "50015419800101001", "一二三四五六七八九十一二三四五六七八九十");
	assert_int_equal(read_row(&h, &r, 5, &p, &err), DD_EINVAL);
	assert_non_null(strstr(err.message, "无法识别“一二三四五六七八九十…”"));
	/* the exporter's apostrophe comes off again */
	good_row(&r, "'=H-9", "50015419800101001", "head");
	r.c[IMPORT_COL_NAME] = "'@张三";
	assert_int_equal(read_row(&h, &r, 5, &p, &err), DD_OK);
	assert_string_equal(p.household_no, "=H-9");
	assert_string_equal(p.name, "@张三");
	/* blank rows */
	const char *blank[] = {"", " ", "\xE3\x80\x80", "", NULL};
	assert_true(import_row_blank(mkrec(&x, 9, blank)));
	const char *none[] = {NULL};
	assert_true(import_row_blank(mkrec(&x, 9, none)));
	const char *notblank[] = {"", "x", NULL};
	assert_false(import_row_blank(mkrec(&x, 9, notblank)));
}

/* --- households --- */

static struct import_person person(const char *hno, const char *d17, enum relation rel, const char *region,
				   enum area area, uint64_t line)
{
	struct import_person p;
	memset(&p, 0, sizeof p);
	snprintf(p.household_no, sizeof p.household_no, "%s", hno);
	dd_error err;
	char id[19];
	mkid(d17, id);
	assert_int_equal(idnum_parse(id, 18, &p.id, &err), DD_OK);
	assert_int_equal(region_parse(region, strlen(region), 6, p.region_sig, &err), DD_OK);
	snprintf(p.region, sizeof p.region, "%s", region);
	p.area = area;
	p.relation = rel;
	p.line = line;
	return p;
}

static void household_rules(void **state)
{
	(void)state;
	struct import_person rows[HOUSEHOLD_MAX_MEMBERS + 2];
	size_t culprit;
	dd_error err;
	rows[0] = person("H", "50015419800101001", REL_HEAD, "500154001001", AREA_RURAL, 2);
	rows[1] = person("H", "50015419820101002", REL_SPOUSE, "500154001001", AREA_RURAL, 3);
	rows[2] = person("H", "50015420100101003", REL_CHILD, "500154001001", AREA_RURAL, 4);
	assert_int_equal(import_household_check(rows, 3, &culprit, &err), DD_OK);
	assert_int_equal(culprit, SIZE_MAX);
	/* regions compare by significant form: "500154001" = "500154001000" */
	struct import_person t[2] = {person("T", "50015419800101001", REL_HEAD, "500154001", AREA_RURAL, 2),
				     person("T", "50015419820101002", REL_SPOUSE, "500154001000", AREA_RURAL, 3)};
	assert_int_equal(import_household_check(t, 2, &culprit, &err), DD_OK);
	/* no head */
	rows[0].relation = REL_OTHER;
	assert_int_equal(import_household_check(rows, 3, &culprit, &err), DD_EINVAL);
	assert_string_equal(err.message, "本户没有户主 (the household has no head)");
	assert_int_equal(culprit, SIZE_MAX);
	/* two heads: the second is the culprit */
	rows[0].relation = REL_HEAD;
	rows[2].relation = REL_HEAD;
	assert_int_equal(import_household_check(rows, 3, &culprit, &err), DD_EINVAL);
	assert_int_equal(culprit, 2);
	assert_non_null(strstr(err.message, "本户有多个户主（第2行和第4行）"));
	rows[2].relation = REL_CHILD;
	/* region disagreement (a different village), area disagreement */
	rows[1] = person("H", "50015419820101002", REL_SPOUSE, "500154001002", AREA_RURAL, 3);
	assert_int_equal(import_household_check(rows, 3, &culprit, &err), DD_EINVAL);
	assert_int_equal(culprit, 1);
	assert_string_equal(err.field, "region");
	assert_non_null(strstr(err.message, "区划代码不一致（第3行与前面不同）"));
	rows[1] = person("H", "50015419820101002", REL_SPOUSE, "500154001001", AREA_URBAN, 3);
	assert_int_equal(import_household_check(rows, 3, &culprit, &err), DD_EINVAL);
	assert_string_equal(err.field, "area");
	rows[1].area = AREA_RURAL;
	/* the same ID number twice in the household */
	rows[2] = rows[1];
	rows[2].relation = REL_CHILD;
	rows[2].line = 9;
	assert_int_equal(import_household_check(rows, 3, &culprit, &err), DD_EINVAL);
	assert_int_equal(culprit, 2);
	assert_non_null(strstr(err.message, "同户内重复出现（第9行）"));
	/* rows of two households */
	rows[2] = person("G", "50015420100101003", REL_CHILD, "500154001001", AREA_RURAL, 4);
	assert_int_equal(import_household_check(rows, 3, &culprit, &err), DD_EINVAL);
	assert_string_equal(err.field, "household_no");
	/* too many members */
	for (int i = 0; i < HOUSEHOLD_MAX_MEMBERS + 1; i++) {
		char d17[18];
		snprintf(d17, sizeof d17, "50015419800101%03u", (unsigned)i % 1000u);
		rows[i] = person("H", d17, i ? REL_CHILD : REL_HEAD, "500154001001", AREA_RURAL, (uint64_t)i + 2);
	}
	assert_int_equal(import_household_check(rows, HOUSEHOLD_MAX_MEMBERS, &culprit, &err), DD_OK);
	assert_int_equal(import_household_check(rows, HOUSEHOLD_MAX_MEMBERS + 1, &culprit, &err), DD_EINVAL);
	assert_int_equal(culprit, HOUSEHOLD_MAX_MEMBERS);
	assert_non_null(strstr(err.message, "本户超过100人"));
	assert_int_equal(import_household_check(rows, 0, &culprit, &err), DD_EINVAL);
}

static void household_state(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct import_household_state), 32);
	struct import_household_state s;
	dd_error err;
	struct import_person a = person("H", "50015419800101001", REL_SPOUSE, "500154001001", AREA_RURAL, 2);
	struct import_person b = person("H", "50015419820101002", REL_HEAD, "500154001001", AREA_RURAL, 3);
	import_household_init(&s);
	import_household_add(&s, &a);
	assert_int_equal(import_household_verdict(&s), IMPORT_HH_NO_HEAD); /* so far */
	import_household_add(&s, &b);
	assert_int_equal(import_household_verdict(&s), IMPORT_HH_OK);
	assert_int_equal(import_household_reason(&s, &err), DD_OK);
	assert_int_equal(s.rows, 2);
	/* a rejected row rejects the household, naming the row */
	import_household_add_rejected(&s, 7);
	assert_int_equal(import_household_verdict(&s), IMPORT_HH_ROW_REJECTED);
	assert_int_equal(import_household_reason(&s, &err), DD_EINVAL);
	assert_string_equal(err.message, "同户第7行有误，整户未导入 (line 7 of this household was rejected)");
	/* the first reason is kept */
	import_household_mark(&s, IMPORT_HH_DUPLICATE_ID, 9);
	assert_int_equal(import_household_verdict(&s), IMPORT_HH_ROW_REJECTED);
	import_household_init(&s);
	import_household_add(&s, &b);
	import_household_mark(&s, IMPORT_HH_DUPLICATE_ID, 9);
	assert_int_equal(import_household_reason(&s, &err), DD_EINVAL);
	assert_non_null(strstr(err.message, "同户第9行的身份证号在文件中重复出现"));
	import_household_init(&s);
	import_household_mark(&s, IMPORT_HH_STORE, 4);
	assert_int_equal(import_household_reason(&s, &err), DD_EINVAL);
	assert_true(utf8_valid(err.message, strlen(err.message)));
}

/* --- the ID index --- */

static void id_index(void **state)
{
	(void)state;
	struct id_index x;
	dd_error err;
	assert_int_equal(id_index_init(&x, 0, &err), DD_OK);
	char a[19], b[19];
	mkid("50015419800101001", a);
	mkid("50015419800101002", b);
	bool repeat;
	struct id_index_entry first;
	assert_int_equal(id_index_add(&x, a, 1, 2, &repeat, &first, &err), DD_OK);
	assert_false(repeat);
	assert_int_equal(id_index_add(&x, b, 1, 3, &repeat, &first, &err), DD_OK);
	assert_false(repeat);
	/* seen again in the same household */
	assert_int_equal(id_index_add(&x, b, 1, 4, &repeat, &first, &err), DD_OK);
	assert_true(repeat);
	assert_int_equal(first.household, 1);
	assert_int_equal(first.line, 3);
	assert_true(first.repeated);
	assert_false(first.other_household);
	/* seen in another household */
	assert_int_equal(id_index_add(&x, a, 2, 10, &repeat, &first, &err), DD_OK);
	assert_true(repeat);
	assert_true(first.other_household);
	assert_int_equal(first.line, 2);
	struct id_index_entry e;
	assert_true(id_index_find(&x, a, &e));
	assert_true(e.repeated && e.other_household);
	assert_int_equal(e.household, 1);
	assert_true(id_index_find(&x, b, &e));
	assert_true(e.repeated && !e.other_household);
	char c[19];
	mkid("50015419800101003", c);
	assert_false(id_index_find(&x, c, &e));
	assert_int_equal(id_index_count(&x), 2);
	/* the rejects reason names the first line */
	import_duplicate_reason(&e, 4, &err);
	assert_string_equal(err.message, "身份证号 (id): 与第3行重复 (the same ID number is on line 3)");
	import_duplicate_reason(&e, 3, &err);
	assert_non_null(strstr(err.message, "在文件后面再次出现"));
	/* lines beyond 32 bits */
	assert_int_equal(id_index_add(&x, c, 3, (uint64_t)UINT32_MAX + 1, &repeat, &first, &err), DD_ELIMIT);
	id_index_release(&x);

	/* growth from a small start: 300,000 distinct numbers, then all again */
	assert_int_equal(id_index_init(&x, 0, &err), DD_OK);
	const uint32_t n = 300000;
	for (uint32_t i = 0; i < n; i++) {
		char d17[18], id[19];
		snprintf(d17, sizeof d17, "%06u19800101%03u", 500000 + i / 1000, i % 1000);
		mkid(d17, id);
		assert_int_equal(id_index_add(&x, id, i / 3, i + 2, &repeat, NULL, &err), DD_OK);
		if (repeat)
			fail_msg("%s new but seen", id);
	}
	assert_int_equal(id_index_count(&x), n);
	for (uint32_t i = 0; i < n; i += 7) {
		char d17[18], id[19];
		snprintf(d17, sizeof d17, "%06u19800101%03u", 500000 + i / 1000, i % 1000);
		mkid(d17, id);
		assert_true(id_index_find(&x, id, &e));
		assert_int_equal(e.line, i + 2);
		assert_int_equal(e.household, i / 3);
		assert_false(e.repeated);
	}
	/* 16 bytes a slot, at most 3/4 full */
	assert_int_equal(id_index_bytes(&x), (size_t)524288 * 16);
	id_index_release(&x);
	/* sized up front for a million: 2^21 slots, 32 MiB */
	assert_int_equal(id_index_init(&x, 1000000, &err), DD_OK);
	assert_int_equal(id_index_bytes(&x), (size_t)32 << 20);
	id_index_release(&x);
}

/* --- output rows --- */

struct collector {
	struct import_header h;
	bool have_header;
	struct import_person p[4];
	int n;
};

static dd_status collect(void *ctx, const struct csv_record *rec, dd_error *err)
{
	struct collector *c = ctx;
	if (!c->have_header) {
		c->have_header = true;
		return import_header_read(rec, &c->h, err);
	}
	if (c->n >= 4)
		return DD_ELIMIT;
	return import_row_read(&c->h, rec, today(), &c->p[c->n++], err);
}

static void export_rows(void **state)
{
	(void)state;
	struct strbuf sb;
	strbuf_init(&sb, 256);
	import_export_header(&sb);
	assert_string_equal(sb.buf, "household_no,region,area,id,name,relation,disability_grade,disability_kind,"
				    "severe_illness,labor_capacity,self_care,in_school,supporters,wage_month,"
				    "business_month,property_month,transfer_month,basic_pension_month\r\n");
	struct import_person p =
	    person("=HYPERLINK(\"x\")", "50015419800101001", REL_GRANDCHILD, "500154001", AREA_URBAN, 2);
	snprintf(p.name, sizeof p.name, "%s", "-张,三");
	p.disability_grade = 3;
	p.disability_kind = DIS_INTELLECTUAL;
	p.severe_illness = true;
	p.labor_capacity = LEVEL_PARTIAL;
	p.self_care = LEVEL_NONE;
	p.in_school = true;
	p.supporters = SUPPORTERS_UNABLE;
	p.amount[0] = 123456;
	p.amount[4] = 0;
	p.present = IMPORT_BIT(IMPORT_COL_WAGE_MONTH) | IMPORT_BIT(IMPORT_COL_BASIC_PENSION_MONTH);
	size_t start = sb.len;
	import_export_row(&sb, &p);
	char want[256];
	snprintf(want, sizeof want,
		 "\"'=HYPERLINK(\"\"x\"\")\",500154001,urban,%s,\"'-张,三\",grandchild,3,intellectual,true,partial,"
		 "none,true,unable,1234.56,,,,0.00\r\n",
		 p.id.text);
	assert_string_equal(sb.buf + start, want);
	struct import_person q = person("H-2", "50015419820101002", REL_HEAD, "500154001001", AREA_RURAL, 3);
	snprintf(q.name, sizeof q.name, "%s", "李四");
	q.labor_capacity = LEVEL_FULL;
	import_export_row(&sb, &q);

	/* what the exporter wrote imports back to the same values */
	struct collector c;
	memset(&c, 0, sizeof c);
	struct csv_options o = {.on_record = collect, .ctx = &c};
	struct csv_parser parser;
	dd_error err;
	assert_int_equal(csv_init(&parser, &o, &err), DD_OK);
	if (csv_feed(&parser, sb.buf, sb.len, &err) || csv_finish(&parser, &err))
		fail_msg("%s", err.message);
	csv_release(&parser);
	assert_int_equal(c.n, 2);
	struct import_person *in[2] = {&p, &q};
	for (int i = 0; i < 2; i++) {
		struct import_person *a = &c.p[i], *b = in[i];
		assert_string_equal(a->household_no, b->household_no);
		assert_string_equal(a->region, b->region);
		assert_string_equal(a->region_sig, b->region_sig);
		assert_int_equal(a->area, b->area);
		assert_string_equal(a->id.text, b->id.text);
		assert_string_equal(a->name, b->name);
		assert_int_equal(a->relation, b->relation);
		assert_int_equal(a->disability_grade, b->disability_grade);
		assert_int_equal(a->disability_kind, b->disability_kind);
		assert_int_equal(a->severe_illness, b->severe_illness);
		assert_int_equal(a->labor_capacity, b->labor_capacity);
		assert_int_equal(a->self_care, b->self_care);
		assert_int_equal(a->in_school, b->in_school);
		assert_int_equal(a->supporters, b->supporters);
		for (int k = 0; k < IMPORT_AMOUNTS; k++) {
			assert_int_equal(import_has_amount(a, k), import_has_amount(b, k));
			if (import_has_amount(a, k))
				assert_int_equal(a->amount[k], b->amount[k]);
		}
	}
	strbuf_release(&sb);
}

static void rejects_rows(void **state)
{
	(void)state;
	struct strbuf sb;
	strbuf_init(&sb, 256);
	struct rec hx, rx;
	static const char *const hdr[] = {"户编号", "姓名", "月工资性收入", NULL};
	static const char *const row[] = {"H-1", "=cmd|' /C calc'!A0", "1,200", NULL};
	import_rejects_header(&sb, mkrec(&hx, 1, hdr));
	import_rejects_row(&sb, 12, "月工资性收入 (wage_month): “1,200”：金额格式错误", mkrec(&rx, 12, row));
	assert_string_equal(
	    sb.buf, "\xEF\xBB\xBF行号,原因,户编号,姓名,月工资性收入\r\n"
		    "12,\"月工资性收入 (wage_month): “1,200”：金额格式错误\",H-1,'=cmd|' /C calc'!A0,\"1,200\"\r\n");
	/* a row with no fields (a CSV syntax error before the first one) */
	strbuf_reset(&sb);
	struct csv_record empty = {NULL, 0, 5, 0};
	import_rejects_row(&sb, 5, "第5行：右引号后出现多余字符", &empty);
	assert_string_equal(sb.buf, "5,第5行：右引号后出现多余字符\r\n");
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(header),
	    cmocka_unit_test(good_and_defaults),
	    cmocka_unit_test(vocabularies),
	    cmocka_unit_test(amounts),
	    cmocka_unit_test(bad_values),
	    cmocka_unit_test(id_rules),
	    cmocka_unit_test(several_errors_and_extras),
	    cmocka_unit_test(household_rules),
	    cmocka_unit_test(household_state),
	    cmocka_unit_test(id_index),
	    cmocka_unit_test(export_rows),
	    cmocka_unit_test(rejects_rows),
	};
	return cmocka_run_group_tests_name("import_row", tests, NULL, NULL);
}
