/* import_row.c - IMPORT.md's columns and rules, the ID index, output rows.
 * No I/O. */
#include "import_row.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned long long ull;

#define BOM "\xEF\xBB\xBF"

/* --- the column table --- */

static const struct {
	const char *en, *zh;
	bool required;
} columns[IMPORT_COL__COUNT] = {
    [IMPORT_COL_HOUSEHOLD_NO] = {"household_no", "户编号", true},
    [IMPORT_COL_REGION] = {"region", "区划代码", true},
    [IMPORT_COL_AREA] = {"area", "城乡类别", true},
    [IMPORT_COL_ID] = {"id", "身份证号", true},
    [IMPORT_COL_NAME] = {"name", "姓名", true},
    [IMPORT_COL_RELATION] = {"relation", "与户主关系", true},
    [IMPORT_COL_DISABILITY_GRADE] = {"disability_grade", "残疾等级", false},
    [IMPORT_COL_DISABILITY_KIND] = {"disability_kind", "残疾类别", false},
    [IMPORT_COL_SEVERE_ILLNESS] = {"severe_illness", "是否重病", false},
    [IMPORT_COL_LABOR_CAPACITY] = {"labor_capacity", "劳动能力", false},
    [IMPORT_COL_SELF_CARE] = {"self_care", "自理能力", false},
    [IMPORT_COL_IN_SCHOOL] = {"in_school", "是否在校", false},
    [IMPORT_COL_SUPPORTERS] = {"supporters", "赡养人情况", false},
    [IMPORT_COL_WAGE_MONTH] = {"wage_month", "月工资性收入", false},
    [IMPORT_COL_BUSINESS_MONTH] = {"business_month", "月经营净收入", false},
    [IMPORT_COL_PROPERTY_MONTH] = {"property_month", "月财产净收入", false},
    [IMPORT_COL_TRANSFER_MONTH] = {"transfer_month", "月转移净收入", false},
    [IMPORT_COL_BASIC_PENSION_MONTH] = {"basic_pension_month", "月基础养老金", false},
};

const char *import_col_name(enum import_col c)
{
	return columns[c].en;
}

const char *import_col_zh(enum import_col c)
{
	return columns[c].zh;
}

bool import_col_required(enum import_col c)
{
	return columns[c].required;
}

enum income_type import_amount_income(int k)
{
	static const enum income_type types[IMPORT_AMOUNTS] = {INC_WAGE, INC_BUSINESS, INC_PROPERTY, INC_TRANSFER,
							       INC_BASIC_PENSION};
	return types[k];
}

/* --- vocabularies: English code (index = enum value) and Chinese word --- */

struct word {
	const char *en, *zh;
};

static const struct word areas[] = {[AREA_URBAN] = {"urban", "城市"}, [AREA_RURAL] = {"rural", "农村"}};
static const struct word relations[] = {
    [REL_HEAD] = {"head", "户主"},
    [REL_SPOUSE] = {"spouse", "配偶"},
    [REL_CHILD] = {"child", "子女"},
    [REL_PARENT] = {"parent", "父母"},
    [REL_GRANDPARENT] = {"grandparent", "祖父母"},
    [REL_GRANDCHILD] = {"grandchild", "孙子女"},
    [REL_SIBLING] = {"sibling", "兄弟姐妹"},
    [REL_OTHER] = {"other", "其他"},
};
static const struct word disability_kinds[] = {
    [DIS_NONE] = {"none", "无"},       [DIS_PHYSICAL] = {"physical", "肢体"},
    [DIS_VISUAL] = {"visual", "视力"}, [DIS_HEARING] = {"hearing", "听力"},
    [DIS_SPEECH] = {"speech", "言语"}, [DIS_INTELLECTUAL] = {"intellectual", "智力"},
    [DIS_MENTAL] = {"mental", "精神"}, [DIS_MULTIPLE] = {"multiple", "多重"},
};
static const struct word booleans[] = {{"false", "否"}, {"true", "是"}};
static const struct word labor_levels[] = {
    [LEVEL_FULL] = {"full", "有"}, [LEVEL_PARTIAL] = {"partial", "部分"}, [LEVEL_NONE] = {"none", "无"}};
static const struct word care_levels[] = {
    [LEVEL_FULL] = {"full", "全自理"}, [LEVEL_PARTIAL] = {"partial", "半失能"}, [LEVEL_NONE] = {"none", "全失能"}};
static const struct word supporter_words[] = {[SUPPORTERS_ABLE] = {"able", "有能力"},
					      [SUPPORTERS_UNABLE] = {"unable", "无能力"},
					      [SUPPORTERS_NONE] = {"none", "无"}};

#define COUNT(a) (sizeof(a) / sizeof(a)[0])

static const struct word *col_words(enum import_col c, size_t *n)
{
	switch (c) {
	case IMPORT_COL_AREA:
		*n = COUNT(areas);
		return areas;
	case IMPORT_COL_RELATION:
		*n = COUNT(relations);
		return relations;
	case IMPORT_COL_DISABILITY_KIND:
		*n = COUNT(disability_kinds);
		return disability_kinds;
	case IMPORT_COL_LABOR_CAPACITY:
		*n = COUNT(labor_levels);
		return labor_levels;
	case IMPORT_COL_SELF_CARE:
		*n = COUNT(care_levels);
		return care_levels;
	case IMPORT_COL_SUPPORTERS:
		*n = COUNT(supporter_words);
		return supporter_words;
	default:
		*n = 0;
		return NULL;
	}
}

const char *import_code(enum import_col c, int v)
{
	size_t n;
	const struct word *w = col_words(c, &n);
	return w && v >= 0 && (size_t)v < n ? w[v].en : NULL;
}

int import_code_value(enum import_col c, const char *code)
{
	size_t n;
	const struct word *w = col_words(c, &n);
	for (size_t i = 0; code && i < n; i++)
		if (strcmp(w[i].en, code) == 0)
			return (int)i;
	return -1;
}

static bool eq_nocase(const char *s, size_t n, const char *ascii)
{
	size_t i = 0;
	for (; i < n && ascii[i]; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != ascii[i])
			return false;
	}
	return i == n && !ascii[i];
}

static bool eq_exact(const char *s, size_t n, const char *t)
{
	return strlen(t) == n && memcmp(s, t, n) == 0;
}

static int find_word(const struct word *w, size_t nw, const char *s, size_t n)
{
	for (size_t i = 0; i < nw; i++)
		if (eq_nocase(s, n, w[i].en) || eq_exact(s, n, w[i].zh))
			return (int)i;
	return -1;
}

/* --- cells --- */

struct cell {
	const char *p;
	size_t n;
};

/* Drops ASCII white space, U+00A0 and U+3000 at both ends. */
static struct cell trim(const char *p, size_t n)
{
	for (;;) {
		if (n && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
			p++;
			n--;
		} else if (n >= 2 && (unsigned char)p[0] == 0xC2 && (unsigned char)p[1] == 0xA0) {
			p += 2;
			n -= 2;
		} else if (n >= 3 && memcmp(p, "\xE3\x80\x80", 3) == 0) {
			p += 3;
			n -= 3;
		} else {
			break;
		}
	}
	for (;;) {
		char c = n ? p[n - 1] : 'x';
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			n--;
		else if (n >= 2 && (unsigned char)p[n - 2] == 0xC2 && (unsigned char)p[n - 1] == 0xA0)
			n -= 2;
		else if (n >= 3 && memcmp(p + n - 3, "\xE3\x80\x80", 3) == 0)
			n -= 3;
		else
			break;
	}
	return (struct cell){p, n};
}

static struct cell get_cell(const struct import_header *h, const struct csv_record *rec, enum import_col c)
{
	int32_t k = h->field_of[c];
	if (k < 0 || (size_t)k >= rec->n_fields)
		return (struct cell){"", 0};
	struct cell v = trim(rec->fields[k].p, rec->fields[k].n);
	if (v.n >= 2 && v.p[0] == '\'' && (v.p[1] == '=' || v.p[1] == '+' || v.p[1] == '-' || v.p[1] == '@')) {
		v.p++;
		v.n--;
	}
	return v;
}

/* --- the header --- */

static int find_column(const char *s, size_t n)
{
	for (int c = 0; c < IMPORT_COL__COUNT; c++)
		if (eq_nocase(s, n, columns[c].en) || eq_exact(s, n, columns[c].zh))
			return c;
	return -1;
}

dd_status import_header_read(const struct csv_record *rec, struct import_header *h, dd_error *err)
{
	for (int c = 0; c < IMPORT_COL__COUNT; c++)
		h->field_of[c] = -1;
	h->n_fields = rec->n_fields;
	if (rec->n_fields > INT32_MAX)
		return dd_fail(err, DD_ELIMIT, NULL, "表头列数过多 (too many header cells)");
	for (size_t k = 0; k < rec->n_fields; k++) {
		struct cell v = trim(rec->fields[k].p, rec->fields[k].n);
		if (k == 0 && v.n >= 3 && memcmp(v.p, BOM, 3) == 0)
			v = trim(v.p + 3, v.n - 3);
		int c = find_column(v.p, v.n);
		if (c < 0)
			continue;
		if (h->field_of[c] >= 0)
			return dd_fail(err, DD_EINVAL, columns[c].en,
				       "表头中“%s (%s)”列重复：第%d列和第%zu列 (duplicate column %s)", columns[c].zh,
				       columns[c].en, h->field_of[c] + 1, k + 1, columns[c].en);
		h->field_of[c] = (int32_t)k;
	}
	char missing[DD_MESSAGE_MAX] = "";
	size_t len = 0;
	const char *first = NULL;
	for (int c = 0; c < IMPORT_COL__COUNT; c++)
		if (columns[c].required && h->field_of[c] < 0) {
			if (!first)
				first = columns[c].en;
			int w = snprintf(missing + len, sizeof missing - len, "%s%s (%s)", len ? "、" : "",
					 columns[c].zh, columns[c].en);
			if (w > 0 && (size_t)w < sizeof missing - len)
				len += (size_t)w;
		}
	if (first)
		return dd_fail(err, DD_EINVAL, first, "表头缺少必填列：%s (missing required columns)", missing);
	return DD_OK;
}

/* --- one record --- */

/* The first error of a row, and how many cells failed. */
struct row_errors {
	int count;
	dd_error *err;
};

static void col_fail(struct row_errors *re, enum import_col c, const char *fmt, ...) DD_PRINTF(3, 4);
static void col_fail(struct row_errors *re, enum import_col c, const char *fmt, ...)
{
	if (re->count++ || !re->err)
		return;
	char reason[DD_MESSAGE_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	dd_fail(re->err, DD_EINVAL, columns[c].en, "%s (%s): %s", columns[c].zh, columns[c].en, reason);
}

/* A user's value quoted in a message: at most 30 bytes, cut at a
 * character boundary, control characters shown as '?'. */
static void show_value(struct cell v, char out[40])
{
	size_t n = v.n;
	bool cut = false;
	if (n > 30) {
		n = 30;
		while (n && ((unsigned char)v.p[n] & 0xC0) == 0x80)
			n--;
		cut = true;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = (unsigned char)v.p[i] < 0x20 || v.p[i] == 0x7F ? '?' : v.p[i];
	memcpy(out + n, cut ? "…" : "", cut ? 4 : 1);
}

static bool has_control(struct cell v)
{
	for (size_t i = 0; i < v.n; i++)
		if ((unsigned char)v.p[i] < 0x20 || v.p[i] == 0x7F)
			return true;
	return false;
}

static bool read_text(struct row_errors *re, struct cell v, enum import_col c, char *out, size_t max)
{
	if (!v.n) {
		col_fail(re, c, "缺少必填字段 (missing required field)");
		return false;
	}
	if (v.n > max) {
		col_fail(re, c, "超过%zu字节 (longer than %zu bytes)", max, max);
		return false;
	}
	if (has_control(v)) {
		col_fail(re, c, "含有控制字符 (contains control characters)");
		return false;
	}
	memcpy(out, v.p, v.n);
	out[v.n] = '\0';
	return true;
}

/* A vocabulary cell: the word's index, or def when empty and optional. */
static bool read_word(struct row_errors *re, struct cell v, enum import_col c, const struct word *w, size_t nw,
		      size_t first, int def, int *out)
{
	if (!v.n) {
		if (columns[c].required) {
			col_fail(re, c, "缺少必填字段 (missing required field)");
			return false;
		}
		*out = def;
		return true;
	}
	int i = find_word(w + first, nw - first, v.p, v.n);
	if (i < 0) {
		char shown[40], zh[160] = "", en[160] = "";
		size_t zl = 0, el = 0;
		for (size_t k = first; k < nw; k++) {
			zl += (size_t)snprintf(zh + zl, sizeof zh - zl, "%s%s", k > first ? "/" : "", w[k].zh);
			el += (size_t)snprintf(en + el, sizeof en - el, "%s%s", k > first ? "/" : "", w[k].en);
		}
		show_value(v, shown);
		col_fail(re, c, "无法识别“%s”，应为 %s 或 %s (unknown value)", shown, zh, en);
		return false;
	}
	*out = (int)(first + (size_t)i);
	return true;
}

static bool read_amount(struct row_errors *re, struct cell v, enum import_col c, fen_t *out)
{
	dd_error e;
	if (money_parse(v.p, v.n, MONEY_PLAIN, out, &e)) {
		char shown[40];
		show_value(v, shown);
		col_fail(re, c, "“%s”：%s", shown, e.message);
		return false;
	}
	if (*out < 0) {
		col_fail(re, c, "金额不能为负数 (negative amount)");
		return false;
	}
	return true;
}

bool import_row_blank(const struct csv_record *rec)
{
	for (size_t k = 0; k < rec->n_fields; k++)
		if (trim(rec->fields[k].p, rec->fields[k].n).n)
			return false;
	return true;
}

dd_status import_row_read(const struct import_header *h, const struct csv_record *rec, dd_date today,
			  struct import_person *out, dd_error *err)
{
	memset(out, 0, sizeof *out);
	out->line = rec->line;
	out->labor_capacity = LEVEL_FULL;
	out->self_care = LEVEL_FULL;
	out->supporters = SUPPORTERS_ABLE;
	out->disability_kind = DIS_NONE;
	struct row_errors re = {0, err};
	struct cell v[IMPORT_COL__COUNT];
	for (int c = 0; c < IMPORT_COL__COUNT; c++) {
		v[c] = get_cell(h, rec, (enum import_col)c);
		if (v[c].n)
			out->present |= IMPORT_BIT(c);
	}
	uint32_t ok = 0;
#define OK(c) (ok |= IMPORT_BIT(c))

	if (read_text(&re, v[IMPORT_COL_HOUSEHOLD_NO], IMPORT_COL_HOUSEHOLD_NO, out->household_no,
		      IMPORT_HOUSEHOLD_NO_MAX))
		OK(IMPORT_COL_HOUSEHOLD_NO);

	struct cell r = v[IMPORT_COL_REGION];
	dd_error e;
	if (!r.n) {
		col_fail(&re, IMPORT_COL_REGION, "缺少必填字段 (missing required field)");
	} else if (region_parse(r.p, r.n, 6, out->region_sig, &e)) {
		col_fail(&re, IMPORT_COL_REGION, "%s", e.message);
	} else {
		memcpy(out->region, r.p, r.n);
		out->region[r.n] = '\0';
		OK(IMPORT_COL_REGION);
	}

	int w;
	if (read_word(&re, v[IMPORT_COL_AREA], IMPORT_COL_AREA, areas, COUNT(areas), 0, 0, &w)) {
		out->area = (enum area)w;
		OK(IMPORT_COL_AREA);
	}

	struct cell id = v[IMPORT_COL_ID];
	if (!id.n) {
		col_fail(&re, IMPORT_COL_ID, "缺少必填字段 (missing required field)");
	} else if (idnum_parse(id.p, id.n, &out->id, &e)) {
		col_fail(&re, IMPORT_COL_ID, "%s", e.message);
	} else if (out->id.birth > today) {
		col_fail(&re, IMPORT_COL_ID, "出生日期晚于今天 (birth date in the future)");
	} else {
		OK(IMPORT_COL_ID);
	}

	if (read_text(&re, v[IMPORT_COL_NAME], IMPORT_COL_NAME, out->name, IMPORT_NAME_MAX))
		OK(IMPORT_COL_NAME);

	if (read_word(&re, v[IMPORT_COL_RELATION], IMPORT_COL_RELATION, relations, COUNT(relations), 0, 0, &w)) {
		out->relation = (enum relation)w;
		OK(IMPORT_COL_RELATION);
	}

	struct cell g = v[IMPORT_COL_DISABILITY_GRADE];
	if (!g.n) {
		OK(IMPORT_COL_DISABILITY_GRADE);
	} else if (g.n == 1 && g.p[0] >= '0' && g.p[0] <= '4') {
		out->disability_grade = g.p[0] - '0';
		OK(IMPORT_COL_DISABILITY_GRADE);
	} else {
		char shown[40];
		show_value(g, shown);
		col_fail(&re, IMPORT_COL_DISABILITY_GRADE, "“%s”不是0至4 (must be 0-4)", shown);
	}

	if (read_word(&re, v[IMPORT_COL_DISABILITY_KIND], IMPORT_COL_DISABILITY_KIND, disability_kinds,
		      COUNT(disability_kinds), 0, DIS_NONE, &w)) {
		out->disability_kind = (enum disability_kind)w;
		OK(IMPORT_COL_DISABILITY_KIND);
	}
	if (read_word(&re, v[IMPORT_COL_SEVERE_ILLNESS], IMPORT_COL_SEVERE_ILLNESS, booleans, COUNT(booleans), 0, 0,
		      &w)) {
		out->severe_illness = w == 1;
		OK(IMPORT_COL_SEVERE_ILLNESS);
	}
	if (read_word(&re, v[IMPORT_COL_LABOR_CAPACITY], IMPORT_COL_LABOR_CAPACITY, labor_levels, COUNT(labor_levels),
		      0, LEVEL_FULL, &w)) {
		out->labor_capacity = (enum level)w;
		OK(IMPORT_COL_LABOR_CAPACITY);
	}
	if (read_word(&re, v[IMPORT_COL_SELF_CARE], IMPORT_COL_SELF_CARE, care_levels, COUNT(care_levels), 0,
		      LEVEL_FULL, &w)) {
		out->self_care = (enum level)w;
		OK(IMPORT_COL_SELF_CARE);
	}
	if (read_word(&re, v[IMPORT_COL_IN_SCHOOL], IMPORT_COL_IN_SCHOOL, booleans, COUNT(booleans), 0, 0, &w)) {
		out->in_school = w == 1;
		OK(IMPORT_COL_IN_SCHOOL);
	}
	if (read_word(&re, v[IMPORT_COL_SUPPORTERS], IMPORT_COL_SUPPORTERS, supporter_words, COUNT(supporter_words), 0,
		      SUPPORTERS_ABLE, &w)) {
		out->supporters = (enum supporters)w;
		OK(IMPORT_COL_SUPPORTERS);
	}
	for (int k = 0; k < IMPORT_AMOUNTS; k++) {
		enum import_col c = (enum import_col)(IMPORT_COL_WAGE_MONTH + k);
		if (!v[c].n || read_amount(&re, v[c], c, &out->amount[k]))
			OK(c);
	}
#undef OK
	out->valid = ok;

	/* cells beyond the header's last column */
	for (size_t k = h->n_fields; k < rec->n_fields; k++)
		if (trim(rec->fields[k].p, rec->fields[k].n).n) {
			if (!re.count++ && err)
				dd_fail(err, DD_EINVAL, "",
					"第%zu列：表头之外有数据，可能是未加引号的逗号 (data beyond the header's %zu "
					"columns)",
					k + 1, h->n_fields);
			break;
		}

	if (!re.count)
		return DD_OK;
	if (re.count > 1 && err) {
		char more[64];
		int m = snprintf(more, sizeof more, "；另有%d处错误 (%d more)", re.count - 1, re.count - 1);
		size_t len = strlen(err->message);
		if (m > 0 && len + (size_t)m < sizeof err->message)
			memcpy(err->message + len, more, (size_t)m + 1);
	}
	return DD_EINVAL;
}

/* --- households --- */

void import_household_init(struct import_household_state *s)
{
	memset(s, 0, sizeof *s);
}

static uint32_t line32(uint64_t line)
{
	return line > UINT32_MAX ? UINT32_MAX : (uint32_t)line;
}

void import_household_mark(struct import_household_state *s, enum import_hh_reason r, uint64_t line)
{
	if (s->reason == IMPORT_HH_OK && r != IMPORT_HH_OK) {
		s->reason = (uint8_t)r;
		s->reason_line = line32(line);
	}
}

void import_household_add(struct import_household_state *s, const struct import_person *p)
{
	if (s->rows < UINT32_MAX)
		s->rows++;
	if (s->rows > HOUSEHOLD_MAX_MEMBERS)
		import_household_mark(s, IMPORT_HH_TOO_MANY_MEMBERS, p->line);
	if (!s->has_first) {
		s->has_first = 1;
		memcpy(s->region_sig, p->region_sig, sizeof s->region_sig);
		s->area = (uint8_t)p->area;
	} else if (strcmp(s->region_sig, p->region_sig) != 0) {
		import_household_mark(s, IMPORT_HH_REGION_MISMATCH, p->line);
	} else if (s->area != (uint8_t)p->area) {
		import_household_mark(s, IMPORT_HH_AREA_MISMATCH, p->line);
	}
	if (p->relation == REL_HEAD) {
		if (!s->heads)
			s->head_line = line32(p->line);
		else
			import_household_mark(s, IMPORT_HH_MULTIPLE_HEADS, p->line);
		if (s->heads < 2)
			s->heads++;
	}
}

void import_household_add_rejected(struct import_household_state *s, uint64_t line)
{
	if (s->rows < UINT32_MAX)
		s->rows++;
	import_household_mark(s, IMPORT_HH_ROW_REJECTED, line);
}

enum import_hh_reason import_household_verdict(const struct import_household_state *s)
{
	if (s->reason != IMPORT_HH_OK)
		return (enum import_hh_reason)s->reason;
	if (s->heads == 0)
		return IMPORT_HH_NO_HEAD;
	return IMPORT_HH_OK;
}

dd_status import_household_reason(const struct import_household_state *s, dd_error *err)
{
	ull line = s->reason_line;
	switch (import_household_verdict(s)) {
	case IMPORT_HH_OK:
		dd_error_clear(err);
		return DD_OK;
	case IMPORT_HH_ROW_REJECTED:
		return dd_fail(err, DD_EINVAL, "",
			       "同户第%llu行有误，整户未导入 (line %llu of this household was rejected)", line, line);
	case IMPORT_HH_DUPLICATE_ID:
		return dd_fail(err, DD_EINVAL, "id",
			       "同户第%llu行的身份证号在文件中重复出现，整户未导入 (an ID number of this household, "
			       "line %llu, appears more than once in the file)",
			       line, line);
	case IMPORT_HH_TOO_MANY_MEMBERS:
		return dd_fail(err, DD_EINVAL, "", "本户超过%d人 (more than %d members)", HOUSEHOLD_MAX_MEMBERS,
			       HOUSEHOLD_MAX_MEMBERS);
	case IMPORT_HH_REGION_MISMATCH:
		return dd_fail(err, DD_EINVAL, "region",
			       "同户各行的区划代码不一致（第%llu行与前面不同），整户未导入 (rows of the household "
			       "disagree on region)",
			       line);
	case IMPORT_HH_AREA_MISMATCH:
		return dd_fail(err, DD_EINVAL, "area",
			       "同户各行的城乡类别不一致（第%llu行与前面不同），整户未导入 (rows of the household "
			       "disagree on area)",
			       line);
	case IMPORT_HH_NO_HEAD:
		return dd_fail(err, DD_EINVAL, "relation", "本户没有户主 (the household has no head)");
	case IMPORT_HH_MULTIPLE_HEADS:
		return dd_fail(err, DD_EINVAL, "relation",
			       "本户有多个户主（第%llu行和第%llu行） (the household has more than one head)",
			       (ull)s->head_line, line);
	case IMPORT_HH_STORE:
		return dd_fail(err, DD_EINVAL, "id",
			       "第%llu行的人员已在库中另一在册家庭，整户未导入 (the person on line %llu is already in "
			       "another active household in the store)",
			       line, line);
	case IMPORT_HH_REGION_UNKNOWN:
		return dd_fail(err, DD_EINVAL, "region",
			       "区划代码所属的区县不在区划表中，整户未导入 (the region's county is not in the region "
			       "table)");
	case IMPORT_HH_CHANGED:
		break;
	}
	return dd_fail(err, DD_EINVAL, "household_no",
		       "库中已有该区划下同一户编号的家庭且内容不同，整户未导入，请在系统中办理变更 (the store already "
		       "holds this household with other content: change it in the registry)");
}

dd_status import_household_check(const struct import_person *rows, size_t n, size_t *culprit, dd_error *err)
{
	size_t dummy;
	if (!culprit)
		culprit = &dummy;
	*culprit = SIZE_MAX;
	struct import_household_state s;
	import_household_init(&s);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(rows[i].household_no, rows[0].household_no) != 0) {
			*culprit = i;
			return dd_fail(err, DD_EINVAL, "household_no",
				       "户编号 (household_no): 不属于同一户 (rows of different households)");
		}
		import_household_add(&s, &rows[i]);
		if (s.reason == IMPORT_HH_OK && n <= HOUSEHOLD_MAX_MEMBERS)
			for (size_t j = 0; j < i; j++)
				if (memcmp(rows[j].id.text, rows[i].id.text, IDNUM_LEN) == 0) {
					import_household_mark(&s, IMPORT_HH_DUPLICATE_ID, rows[i].line);
					break;
				}
		if (s.reason != IMPORT_HH_OK && *culprit == SIZE_MAX)
			*culprit = i;
	}
	if (!n)
		return dd_fail(err, DD_EINVAL, "", "空户 (empty household)");
	if (import_household_verdict(&s) == IMPORT_HH_DUPLICATE_ID) {
		ull line = s.reason_line;
		return dd_fail(
		    err, DD_EINVAL, "id",
		    "身份证号 (id): 同户内重复出现（第%llu行） (an ID number appears twice in the household)", line);
	}
	return import_household_reason(&s, err);
}

/* --- the ID index --- */

#define KEY_REPEATED (1ull << 62)
#define KEY_OTHER_HH (1ull << 63)
#define KEY_MASK (KEY_REPEATED - 1)

static uint64_t id_key(const char id[IDNUM_LEN])
{
	uint64_t k = 0;
	for (int i = 0; i < 17; i++)
		k = k * 10 + (uint64_t)(id[i] - '0');
	return k + 1;
}

static size_t id_hash(uint64_t k)
{
	/* splitmix64's finaliser: the digits are far from random */
	k ^= k >> 30;
	k *= 0xbf58476d1ce4e5b9ull;
	k ^= k >> 27;
	k *= 0x94d049bb133111ebull;
	k ^= k >> 31;
	return (size_t)k;
}

static dd_status id_index_alloc(struct id_index *x, size_t slots, dd_error *err)
{
	x->slots = calloc(slots, sizeof *x->slots);
	if (!x->slots)
		return dd_fail(err, DD_ENOMEM, NULL, "内存不足 (out of memory)");
	x->mask = slots - 1;
	return DD_OK;
}

static size_t slots_for(size_t entries)
{
	size_t slots = 1024;
	while (slots / 4 * 3 < entries)
		slots *= 2;
	return slots;
}

dd_status id_index_init(struct id_index *x, size_t expected, dd_error *err)
{
	memset(x, 0, sizeof *x);
	return id_index_alloc(x, slots_for(expected), err);
}

static struct id_index_slot *id_slot(const struct id_index *x, uint64_t key)
{
	size_t i = id_hash(key) & x->mask;
	for (;;) {
		struct id_index_slot *s = &x->slots[i];
		if (!s->key || (s->key & KEY_MASK) == key)
			return s;
		i = (i + 1) & x->mask;
	}
}

static dd_status id_index_grow(struct id_index *x, dd_error *err)
{
	struct id_index old = *x;
	if (id_index_alloc(x, (old.mask + 1) * 2, err)) {
		*x = old;
		return DD_ENOMEM;
	}
	for (size_t i = 0; i <= old.mask; i++)
		if (old.slots[i].key)
			*id_slot(x, old.slots[i].key & KEY_MASK) = old.slots[i];
	free(old.slots);
	return DD_OK;
}

static void entry_of(const struct id_index_slot *s, struct id_index_entry *e)
{
	e->household = s->household;
	e->line = s->line;
	e->repeated = (s->key & KEY_REPEATED) != 0;
	e->other_household = (s->key & KEY_OTHER_HH) != 0;
}

dd_status id_index_add(struct id_index *x, const char id[IDNUM_LEN], uint32_t household, uint64_t line, bool *repeat,
		       struct id_index_entry *first, dd_error *err)
{
	if (line > UINT32_MAX)
		return dd_fail(err, DD_ELIMIT, NULL, "文件行数过多 (more than 4294967295 lines)");
	if ((x->count + 1) > (x->mask + 1) / 4 * 3 && id_index_grow(x, err))
		return DD_ENOMEM;
	uint64_t key = id_key(id);
	struct id_index_slot *s = id_slot(x, key);
	if (!s->key) {
		s->key = key;
		s->household = household;
		s->line = (uint32_t)line;
		x->count++;
		*repeat = false;
		return DD_OK;
	}
	s->key |= KEY_REPEATED;
	if (s->household != household)
		s->key |= KEY_OTHER_HH;
	*repeat = true;
	if (first)
		entry_of(s, first);
	return DD_OK;
}

bool id_index_find(const struct id_index *x, const char id[IDNUM_LEN], struct id_index_entry *out)
{
	if (!x->slots)
		return false;
	const struct id_index_slot *s = id_slot(x, id_key(id));
	if (!s->key)
		return false;
	if (out)
		entry_of(s, out);
	return true;
}

size_t id_index_count(const struct id_index *x)
{
	return x->count;
}

size_t id_index_bytes(const struct id_index *x)
{
	return x->slots ? (x->mask + 1) * sizeof *x->slots : 0;
}

void id_index_release(struct id_index *x)
{
	free(x->slots);
	memset(x, 0, sizeof *x);
}

void import_duplicate_reason(const struct id_index_entry *e, uint64_t this_line, dd_error *err)
{
	if (e->line != this_line)
		dd_fail(err, DD_EINVAL, "id", "身份证号 (id): 与第%llu行重复 (the same ID number is on line %llu)",
			(ull)e->line, (ull)e->line);
	else
		dd_fail(err, DD_EINVAL, "id",
			"身份证号 (id): 在文件后面再次出现 (the same ID number appears again later in the file)");
}

/* --- output rows --- */

void import_export_header(struct strbuf *sb)
{
	for (int c = 0; c < IMPORT_COL__COUNT; c++) {
		if (c)
			strbuf_addc(sb, ',');
		strbuf_adds(sb, columns[c].en);
	}
	strbuf_adds(sb, "\r\n");
}

void import_export_row(struct strbuf *sb, const struct import_person *p)
{
	csv_append_field(sb, p->household_no, strlen(p->household_no), CSV_OUT_PROTECT);
	strbuf_addc(sb, ',');
	strbuf_adds(sb, p->region);
	strbuf_addc(sb, ',');
	strbuf_adds(sb, areas[p->area].en);
	strbuf_addc(sb, ',');
	strbuf_adds(sb, p->id.text);
	strbuf_addc(sb, ',');
	csv_append_field(sb, p->name, strlen(p->name), CSV_OUT_PROTECT);
	strbuf_addc(sb, ',');
	strbuf_adds(sb, relations[p->relation].en);
	strbuf_addc(sb, ',');
	strbuf_addc(sb, (char)('0' + p->disability_grade));
	strbuf_addc(sb, ',');
	if (p->disability_kind != DIS_NONE)
		strbuf_adds(sb, disability_kinds[p->disability_kind].en);
	strbuf_addc(sb, ',');
	strbuf_adds(sb, booleans[p->severe_illness].en);
	strbuf_addc(sb, ',');
	strbuf_adds(sb, labor_levels[p->labor_capacity].en);
	strbuf_addc(sb, ',');
	strbuf_adds(sb, care_levels[p->self_care].en);
	strbuf_addc(sb, ',');
	strbuf_adds(sb, booleans[p->in_school].en);
	strbuf_addc(sb, ',');
	strbuf_adds(sb, supporter_words[p->supporters].en);
	for (int k = 0; k < IMPORT_AMOUNTS; k++) {
		strbuf_addc(sb, ',');
		if (import_has_amount(p, k)) {
			char buf[MONEY_TEXT_MAX];
			strbuf_add(sb, buf, money_format(p->amount[k], buf));
		}
	}
	strbuf_adds(sb, "\r\n");
}

static void add_fields(struct strbuf *sb, const struct csv_record *rec)
{
	for (size_t k = 0; rec && k < rec->n_fields; k++) {
		strbuf_addc(sb, ',');
		csv_append_field(sb, rec->fields[k].p, rec->fields[k].n, CSV_OUT_PROTECT);
	}
	strbuf_adds(sb, "\r\n");
}

void import_rejects_header(struct strbuf *sb, const struct csv_record *header)
{
	strbuf_adds(sb, BOM);
	strbuf_adds(sb, "行号,原因");
	add_fields(sb, header);
}

void import_rejects_row(struct strbuf *sb, uint64_t line, const char *reason, const struct csv_record *rec)
{
	strbuf_add_int(sb, (int64_t)line);
	strbuf_addc(sb, ',');
	csv_append_field(sb, reason, strlen(reason), CSV_OUT_PROTECT);
	add_fields(sb, rec);
}
