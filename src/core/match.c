/* match.c - data matching: keys, kinds, rules, population, scanner (match.h). */
#include "match.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "csv.h"
#include "idnum.h"
#include "json.h"
#include "money.h"

/* --- ID keys --- */

bool match_idkey(const char *s, size_t n, uint64_t *key)
{
	if (n != IDNUM_LEN)
		return false;
	uint64_t v = 0;
	for (int i = 0; i < 17; i++) {
		unsigned d = (unsigned char)s[i] - '0';
		if (d > 9)
			return false;
		v = v * 10 + d;
	}
	char c = s[17] == 'x' ? 'X' : s[17];
	if (idnum_check_char(s) != c)
		return false;
	*key = v + 1;
	return true;
}

void match_idtext(uint64_t key, char out[19])
{
	uint64_t v = key - 1;
	for (int i = 16; i >= 0; i--) {
		out[i] = (char)('0' + v % 10);
		v /= 10;
	}
	out[17] = idnum_check_char(out);
	out[18] = 0;
}

/* --- kinds --- */

static const char *const type_names[] = {"text", "id", "date", "money", "int", "region"};

const char *match_type_name(enum match_type t)
{
	return t >= MT_TEXT && t <= MT_REGION ? type_names[t] : "";
}

static bool copy_text(char *dst, size_t cap, const struct json_value *v)
{
	if (!v || v->type != JSON_STRING || v->len == 0 || v->len >= cap)
		return false;
	memcpy(dst, v->str, v->len + 1);
	return true;
}

dd_status match_kind_parse(const char *code, const char *json, size_t n, struct match_kind *out, dd_error *err)
{
	memset(out, 0, sizeof *out);
	out->key = -1;
	size_t cn = strlen(code);
	if (cn >= sizeof out->code)
		return dd_fail(err, DD_EINVAL, "code", "数据类型代码过长 (kind code too long)");
	memcpy(out->code, code, cn + 1);
	struct arena a;
	arena_init(&a, 16 * 1024, 1 << 20);
	struct json_value *root = NULL;
	struct json_limits lim = {.max_depth = 8};
	dd_status rc = json_parse(json, n, &a, &lim, &root, err);
	if (!rc && (root->type != JSON_ARRAY || root->len == 0 || root->len > MATCH_MAX_COLUMNS))
		rc = dd_fail(err, DD_EINVAL, "columns", "列定义须为 1 至 %d 个列的数组 (columns: an array of 1..%d)",
			     MATCH_MAX_COLUMNS, MATCH_MAX_COLUMNS);
	for (const struct json_value *c = rc ? NULL : root->child; c && !rc; c = c->next) {
		struct match_column *col = &out->col[out->ncol];
		int i = out->ncol;
		if (c->type != JSON_OBJECT || !copy_text(col->name, sizeof col->name, json_get(c, "name"))) {
			rc = dd_fail(err, DD_EINVAL, "columns", "第 %d 列缺少名称 name (column %d: name missing)",
				     i + 1, i + 1);
			break;
		}
		for (const char *p = col->name; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) {
				rc = dd_fail(err, DD_EINVAL, "columns",
					     "列名 %s 只能含小写字母、数字和下划线 (bad name)", col->name);
				break;
			}
		if (rc)
			break;
		const struct json_value *t = json_get(c, "type");
		int ti = -1;
		for (int k = 0; t && t->type == JSON_STRING && k <= MT_REGION; k++)
			if (strcmp(t->str, type_names[k]) == 0)
				ti = k;
		if (ti < 0) {
			rc = dd_fail(err, DD_EINVAL, "columns",
				     "列 %s 的类型须为 text、id、date、money、int 或 region (bad type)", col->name);
			break;
		}
		col->type = (enum match_type)ti;
		const struct json_value *l = json_get(c, "label");
		if (l && !copy_text(col->label, sizeof col->label, l)) {
			rc = dd_fail(err, DD_EINVAL, "columns", "列 %s 的 label 须为非空文字 (bad label)", col->name);
			break;
		}
		const struct json_value *h = json_get(c, "headers");
		if (h && (h->type != JSON_ARRAY || h->len > MATCH_MAX_HEADERS)) {
			rc = dd_fail(err, DD_EINVAL, "columns",
				     "列 %s 的 headers 须为至多 %d 个文字的数组 (bad headers)", col->name,
				     MATCH_MAX_HEADERS);
			break;
		}
		for (const struct json_value *x = h ? h->child : NULL; x; x = x->next)
			if (!copy_text(col->headers[col->nheaders++], MATCH_TEXT_MAX, x)) {
				rc = dd_fail(err, DD_EINVAL, "columns", "列 %s 的 headers 须为非空文字 (bad header)",
					     col->name);
				break;
			}
		const struct json_value *r = json_get(c, "required");
		col->required = r && r->type == JSON_TRUE;
		for (int k = 0; k < i && !rc; k++)
			if (strcmp(out->col[k].name, col->name) == 0)
				rc = dd_fail(err, DD_EINVAL, "columns", "列名 %s 重复 (column named twice)", col->name);
		if (!rc && col->type == MT_ID) {
			if (out->key >= 0)
				rc = dd_fail(err, DD_EINVAL, "columns", "只能有一个 id 类型的列 (one id column only)");
			out->key = i;
			col->required = true;
		}
		out->ncol++;
	}
	if (!rc && out->key < 0)
		rc =
		    dd_fail(err, DD_EINVAL, "columns", "须有一个 id 类型的列（身份证号码） (an id column is required)");
	arena_release(&a);
	return rc;
}

int match_kind_column(const struct match_kind *k, const char *name)
{
	for (int i = 0; name && i < k->ncol; i++)
		if (strcmp(k->col[i].name, name) == 0)
			return i;
	return -1;
}

static bool cell_is(const char *cell, size_t n, const char *name)
{
	size_t m = strlen(name);
	return m == n && memcmp(cell, name, n) == 0;
}

dd_status match_header_map(const struct match_kind *k, const char *const *cells, const size_t *len, int n, int *map,
			   dd_error *err)
{
	bool seen[MATCH_MAX_COLUMNS] = {false};
	for (int i = 0; i < n; i++) {
		const char *c = cells[i];
		size_t m = len[i];
		if (i == 0 && m >= 3 && memcmp(c, "\xEF\xBB\xBF", 3) == 0)
			c += 3, m -= 3; /* a BOM */
		while (m && (*c == ' ' || *c == '\t'))
			c++, m--;
		while (m && (c[m - 1] == ' ' || c[m - 1] == '\t'))
			m--;
		map[i] = -1;
		for (int j = 0; j < k->ncol && map[i] < 0; j++) {
			const struct match_column *col = &k->col[j];
			bool hit = cell_is(c, m, col->name) || (col->label[0] && cell_is(c, m, col->label));
			for (int h = 0; !hit && h < col->nheaders; h++)
				hit = cell_is(c, m, col->headers[h]);
			if (!hit)
				continue;
			if (seen[j])
				return dd_fail(err, DD_EINVAL, col->name, "表头中 %s 列出现两次 (column given twice)",
					       col->label[0] ? col->label : col->name);
			seen[j] = true;
			map[i] = j;
		}
	}
	for (int j = 0; j < k->ncol; j++)
		if (k->col[j].required && !seen[j])
			return dd_fail(err, DD_EINVAL, k->col[j].name, "表头缺少必需的列：%s (required column missing)",
				       k->col[j].label[0] ? k->col[j].label : k->col[j].name);
	return DD_OK;
}

dd_status match_header_columns(const struct match_kind *k, const struct match_fields *f, int at[MATCH_MAX_COLUMNS],
			       dd_error *err)
{
	if (f->count <= 0)
		return dd_fail(err, DD_EINVAL, "header", "第 1 行表头格式错误 (malformed header)");
	const char *cells[MATCH_MAX_FIELDS];
	size_t len[MATCH_MAX_FIELDS];
	int map[MATCH_MAX_FIELDS];
	for (int i = 0; i < f->count; i++) {
		cells[i] = f->p[i];
		len[i] = f->n[i];
	}
	dd_status rc = match_header_map(k, cells, len, f->count, map, err);
	if (rc)
		return rc;
	for (int c = 0; c < MATCH_MAX_COLUMNS; c++)
		at[c] = -1;
	for (int i = 0; i < f->count; i++)
		if (map[i] >= 0)
			at[map[i]] = i;
	return DD_OK;
}

/* --- values --- */

static dd_status parse_date_any(const char *s, size_t n, dd_date *out, dd_error *err)
{
	char buf[11];
	if (n == 8) { /* YYYYMMDD */
		for (size_t i = 0; i < 8; i++)
			if (s[i] < '0' || s[i] > '9')
				return dd_fail(err, DD_EINVAL, "", "日期格式须为 YYYY-MM-DD (bad date)");
		memcpy(buf, s, 4);
		buf[4] = '-';
		memcpy(buf + 5, s + 4, 2);
		buf[7] = '-';
		memcpy(buf + 8, s + 6, 2);
		s = buf;
		n = 10;
	} else if (n == 10 && s[4] == '/' && s[7] == '/') {
		memcpy(buf, s, 10);
		buf[4] = buf[7] = '-';
		s = buf;
	}
	return date_parse(s, n, out, err);
}

dd_status match_value_parse(enum match_type t, const char *s, size_t n, struct match_value *out, dd_error *err)
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	out->text = s;
	out->n = n;
	out->num = 0;
	out->present = n > 0;
	if (!n)
		return DD_OK;
	switch (t) {
	case MT_TEXT:
		return DD_OK;
	case MT_ID: {
		uint64_t k;
		if (!match_idkey(s, n, &k))
			return dd_fail(err, DD_EINVAL, "", "身份证号码无效（18 位，校验位须正确） (invalid ID number)");
		out->num = (int64_t)k;
		return DD_OK;
	}
	case MT_DATE: {
		dd_date d;
		dd_status rc = parse_date_any(s, n, &d, err);
		if (rc)
			return dd_fail(err, rc, "", "日期无效，须为 YYYY-MM-DD (invalid date)");
		out->num = d;
		return DD_OK;
	}
	case MT_MONEY: {
		fen_t v;
		if (money_parse(s, n, MONEY_PLAIN, &v, err) || v < 0)
			return dd_fail(err, DD_EINVAL, "", "金额无效，须为非负数、至多两位小数 (invalid amount)");
		out->num = v;
		return DD_OK;
	}
	case MT_INT:
	case MT_REGION: {
		int64_t v = 0;
		if (n > 18)
			return dd_fail(err, DD_EINVAL, "", "数值过长 (number too long)");
		for (size_t i = 0; i < n; i++) {
			if (s[i] < '0' || s[i] > '9')
				return dd_fail(err, DD_EINVAL, "",
					       t == MT_INT ? "须为非负整数 (not an integer)"
							   : "区划代码须为 6 至 12 位数字 (invalid region code)");
			v = v * 10 + (s[i] - '0');
		}
		if (t == MT_REGION) {
			if (n < 6 || n > 12)
				return dd_fail(err, DD_EINVAL, "", "区划代码须为 6 至 12 位数字 (invalid region code)");
			for (size_t i = n; i < 12; i++)
				v *= 10; /* padded to 12 digits */
		}
		out->num = v;
		return DD_OK;
	}
	}
	return DD_OK;
}

/* --- rules --- */

static const char *const pop_names[] = {"monitored", "uncovered", "duplicate"};
static const char *const op_names[] = {"present", "gt", "ge", "lt", "le", "eq", "ne", "sum_gt"};
static const char *const prog_names[] = {"dibao", "tekun", "marginal", "rural_monitoring", "hardship", "other"};

enum match_population match_population_parse(const char *s, bool *ok)
{
	for (int i = 0; s && i < 3; i++)
		if (strcmp(s, pop_names[i]) == 0) {
			*ok = true;
			return (enum match_population)i;
		}
	*ok = false;
	return POP_MONITORED;
}

enum match_op match_op_parse(const char *s, bool *ok)
{
	for (int i = 0; s && i < 8; i++)
		if (strcmp(s, op_names[i]) == 0) {
			*ok = true;
			return (enum match_op)i;
		}
	*ok = false;
	return OP_PRESENT;
}

unsigned match_programme_bit(const char *s, size_t n)
{
	for (unsigned i = 0; i < 6; i++)
		if (strlen(prog_names[i]) == n && memcmp(prog_names[i], s, n) == 0)
			return 1u << i;
	return 0;
}

const char *match_programme_name(unsigned bit)
{
	for (unsigned i = 0; i < 6; i++)
		if (bit & (1u << i))
			return prog_names[i];
	return "";
}

dd_status match_rule_prepare(struct match_rule *r, const struct match_kind *k, const char *field, const char *op,
			     const char *value, const char *date_field, const char *region_field, dd_error *err)
{
	bool ok;
	r->op = match_op_parse(op ? op : "present", &ok);
	if (!ok)
		return dd_fail(err, DD_EINVAL, "op", "条件须为 present、gt、ge、lt、le、eq、ne 或 sum_gt (bad op)");
	r->field = field && *field ? match_kind_column(k, field) : k->key;
	if (r->field < 0)
		return dd_fail(err, DD_EINVAL, "field", "数据类型 %s 没有列 %s (no such column)", k->code, field);
	enum match_type t = k->col[r->field].type;
	r->date_field = -1;
	if (date_field && *date_field) {
		r->date_field = match_kind_column(k, date_field);
		if (r->date_field < 0 || k->col[r->date_field].type != MT_DATE)
			return dd_fail(err, DD_EINVAL, "date_field",
				       "时间窗口须指向日期列 (window needs a date column)");
		if (r->window_months < 1 || r->window_months > 120)
			return dd_fail(err, DD_EINVAL, "window_months", "时间窗口须为 1 至 120 个月 (window 1..120)");
	}
	r->region_field = -1;
	if (region_field && *region_field) {
		r->region_field = match_kind_column(k, region_field);
		if (r->region_field < 0 || k->col[r->region_field].type != MT_REGION)
			return dd_fail(err, DD_EINVAL, "region_field", "区划列须为 region 类型 (region column needed)");
	}
	if (r->population == POP_DUPLICATE && r->region_field < 0)
		return dd_fail(err, DD_EINVAL, "region_field",
			       "跨区县重复规则须指明区划列 (duplicate rule needs region)");
	if (r->population == POP_UNCOVERED && r->region_field < 0)
		return dd_fail(err, DD_EINVAL, "region_field", "主动发现规则须指明区划列 (lead rule needs region)");
	if (r->op == OP_SUM_GT && t != MT_MONEY && t != MT_INT)
		return dd_fail(err, DD_EINVAL, "op", "sum_gt 只能用于金额或整数列 (sum_gt needs money or int)");
	if (r->op != OP_PRESENT && (r->op == OP_SUM_GT || t != MT_TEXT) && (t == MT_ID))
		return dd_fail(err, DD_EINVAL, "op", "身份证号码列只能用 present (id column: present only)");
	memset(&r->value, 0, sizeof r->value);
	r->value_text[0] = 0;
	if (r->op != OP_PRESENT) {
		size_t vn = value ? strlen(value) : 0;
		if (!vn || vn >= sizeof r->value_text)
			return dd_fail(err, DD_EINVAL, "value", "条件 %s 需要比较值 (value required)", op_names[r->op]);
		memcpy(r->value_text, value, vn + 1);
		if (match_value_parse(t, r->value_text, strlen(r->value_text), &r->value, err))
			return dd_fail(err, DD_EINVAL, "value", "比较值不是 %s 类型 (value is not a %s)",
				       match_type_name(t), match_type_name(t));
		if (t == MT_TEXT && r->op != OP_EQ && r->op != OP_NE)
			return dd_fail(err, DD_EINVAL, "op", "文字列只能用 present、eq 或 ne (text: present, eq, ne)");
	}
	return DD_OK;
}

bool match_in_window(const struct match_rule *r, dd_date d, dd_date as_of)
{
	if (r->date_field < 0)
		return true;
	return d <= as_of && d > date_add_months(as_of, -r->window_months);
}

bool match_condition(const struct match_rule *r, const struct match_value *v)
{
	if (!v->present)
		return false;
	if (r->op == OP_PRESENT)
		return true;
	if (r->op == OP_EQ || r->op == OP_NE) {
		bool eq = r->value.n == v->n && memcmp(r->value.text, v->text, v->n) == 0;
		if (v->num || r->value.num)
			eq = v->num == r->value.num;
		return r->op == OP_EQ ? eq : !eq;
	}
	int64_t a = v->num, b = r->value.num;
	switch (r->op) {
	case OP_GT:
		return a > b;
	case OP_GE:
		return a >= b;
	case OP_LT:
		return a < b;
	case OP_LE:
		return a <= b;
	default:
		return false;
	}
}

bool match_sum_reached(const struct match_rule *r, int64_t sum)
{
	return sum > r->value.num;
}

/* --- population --- */

static inline size_t hash64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (size_t)k;
}

void match_pop_init(struct match_pop *p)
{
	memset(p, 0, sizeof *p);
}

void match_pop_release(struct match_pop *p)
{
	free(p->bloom);
	free(p->keys);
	free(p->idx);
	free(p->m);
	memset(p, 0, sizeof *p);
}

static dd_status pop_grow(struct match_pop *p, dd_error *err)
{
	size_t ns = p->mask ? (p->mask + 1) * 2 : 1024;
	uint64_t *k = calloc(ns, sizeof *k);
	uint32_t *ix = malloc(ns * sizeof *ix);
	if (!k || !ix) {
		free(k);
		free(ix);
		return dd_fail(err, DD_ENOMEM, "", "内存不足 (out of memory)");
	}
	for (size_t i = 0; p->mask && i <= p->mask; i++) {
		if (!p->keys[i])
			continue;
		size_t j = hash64(p->keys[i]) & (ns - 1);
		while (k[j])
			j = (j + 1) & (ns - 1);
		k[j] = p->keys[i];
		ix[j] = p->idx[i];
	}
	free(p->keys);
	free(p->idx);
	p->keys = k;
	p->idx = ix;
	p->mask = ns - 1;
	return DD_OK;
}

dd_status match_pop_add(struct match_pop *p, uint64_t key, const struct match_member *m, dd_error *err)
{
	if ((p->n + 1) * 2 > p->mask + 1 && pop_grow(p, err))
		return DD_ENOMEM;
	size_t j = hash64(key) & p->mask;
	while (p->keys[j]) {
		if (p->keys[j] == key) {
			struct match_member *x = &p->m[p->idx[j]];
			x->programmes |= m->programmes;
			if (!x->household_id && m->household_id) {
				x->person_id = m->person_id;
				x->household_id = m->household_id;
				x->region = m->region;
			}
			return DD_OK;
		}
		j = (j + 1) & p->mask;
	}
	if (p->n == p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 1024;
		struct match_member *nm = realloc(p->m, nc * sizeof *nm);
		if (!nm)
			return dd_fail(err, DD_ENOMEM, "", "内存不足 (out of memory)");
		p->m = nm;
		p->cap = nc;
	}
	p->m[p->n] = *m;
	p->keys[j] = key;
	p->idx[j] = (uint32_t)p->n++;
	return DD_OK;
}

static inline uint64_t bloom_hash(uint64_t key)
{
	return key * 0x9E3779B97F4A7C15ULL;
}

static inline uint64_t bloom_bits(uint64_t h)
{
	return (1ULL << (h & 63)) | (1ULL << ((h >> 6) & 63));
}

dd_status match_pop_seal(struct match_pop *p, dd_error *err)
{
	size_t words = 64;
	while (words < p->n / 4)
		words *= 2;
	free(p->bloom);
	p->bloom = calloc(words, sizeof *p->bloom);
	if (!p->bloom)
		return dd_fail(err, DD_ENOMEM, "", "内存不足 (out of memory)");
	p->bloom_mask = words - 1;
	for (size_t i = 0; p->mask && i <= p->mask; i++)
		if (p->keys[i]) {
			uint64_t h = bloom_hash(p->keys[i]);
			p->bloom[(h >> 32) & p->bloom_mask] |= bloom_bits(h);
		}
	return DD_OK;
}

const struct match_member *match_pop_find(const struct match_pop *p, uint64_t key)
{
	if (!p->mask)
		return NULL;
	if (p->bloom) {
		uint64_t h = bloom_hash(key), b = bloom_bits(h);
		if ((p->bloom[(h >> 32) & p->bloom_mask] & b) != b)
			return NULL;
	}
	size_t j = hash64(key) & p->mask;
	while (p->keys[j]) {
		if (p->keys[j] == key)
			return &p->m[p->idx[j]];
		j = (j + 1) & p->mask;
	}
	return NULL;
}

/* --- sums --- */

void match_sums_init(struct match_sums *t)
{
	memset(t, 0, sizeof *t);
}

void match_sums_release(struct match_sums *t)
{
	free(t->s);
	memset(t, 0, sizeof *t);
}

dd_status match_sums_add(struct match_sums *t, uint64_t key, int64_t v, dd_date d, int64_t region, dd_error *err)
{
	if ((t->n + 1) * 2 > t->mask + 1) {
		size_t ns = t->mask ? (t->mask + 1) * 2 : 1024;
		struct match_sum *s = calloc(ns, sizeof *s);
		if (!s)
			return dd_fail(err, DD_ENOMEM, "", "内存不足 (out of memory)");
		for (size_t i = 0; t->mask && i <= t->mask; i++) {
			if (!t->s[i].key)
				continue;
			size_t j = hash64(t->s[i].key) & (ns - 1);
			while (s[j].key)
				j = (j + 1) & (ns - 1);
			s[j] = t->s[i];
		}
		free(t->s);
		t->s = s;
		t->mask = ns - 1;
	}
	size_t j = hash64(key) & t->mask;
	while (t->s[j].key && t->s[j].key != key)
		j = (j + 1) & t->mask;
	struct match_sum *x = &t->s[j];
	if (!x->key) {
		x->key = key;
		t->n++;
	}
	if (__builtin_add_overflow(x->sum, v, &x->sum))
		x->sum = INT64_MAX;
	if (d > x->last)
		x->last = d;
	if (region)
		x->region = region;
	return DD_OK;
}

/* --- scanner --- */

void match_scanner_init(struct match_scanner *s, match_record_fn fn, void *ctx)
{
	memset(s, 0, sizeof *s);
	s->fn = fn;
	s->ctx = ctx;
	s->line = 1;
}

void match_scanner_release(struct match_scanner *s)
{
	free(s->carry);
	free(s->unq);
	memset(s, 0, sizeof *s);
}

/* Splits one record that starts at p (end: the end of the available bytes;
 * final: no more bytes will come). Returns the bytes the record took
 * (through its LF), or 0 when it is not complete yet. */
static size_t split_record(struct match_scanner *s, const char *p, const char *end, bool final, struct match_fields *f,
			   uint64_t *lines, dd_error *err, dd_status *rc)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	if (!nl && !final)
		return 0;
	const char *le = nl ? nl : end;
	f->count = 0;
	*lines = 1;
	if (!memchr(p, '"', (size_t)(le - p))) { /* fast path: no quotes */
		const char *e = le;
		if (e > p && e[-1] == '\r')
			e--;
		const char *q = p;
		for (;;) {
			const char *c = memchr(q, ',', (size_t)(e - q));
			if (f->count == MATCH_MAX_FIELDS) {
				f->count = -1;
				break;
			}
			f->p[f->count] = q;
			f->n[f->count++] = (size_t)((c ? c : e) - q);
			if (!c)
				break;
			q = c + 1;
		}
		return (size_t)(le - p) + (nl ? 1 : 0);
	}
	/* quotes: a state machine; quoted fields unescaped into s->unq */
	size_t need = (size_t)(end - p) + 1;
	if (need > MATCH_MAX_RECORD)
		need = MATCH_MAX_RECORD;
	if (s->capunq < need) {
		char *u = realloc(s->unq, need);
		if (!u) {
			*rc = dd_fail(err, DD_ENOMEM, "", "内存不足 (out of memory)");
			return 0;
		}
		s->unq = u;
		s->capunq = need;
	}
	size_t u = 0;
	const char *q = p;
	bool bad = false;
	*lines = 1;
	for (;;) {
		if (f->count == MATCH_MAX_FIELDS) {
			bad = true;
			f->count = 0;
		}
		if (q < end && *q == '"') {
			size_t start = u;
			q++;
			for (;;) {
				if (q >= end) {
					if (!final)
						return 0;
					bad = true;
					break;
				}
				if (*q == '"') {
					if (q + 1 < end && q[1] == '"') {
						if (u < s->capunq)
							s->unq[u++] = '"';
						q += 2;
						continue;
					}
					if (q + 1 >= end && !final)
						return 0;
					q++;
					break;
				}
				if (*q == '\n')
					(*lines)++;
				if (u < s->capunq)
					s->unq[u++] = *q;
				else
					bad = true;
				q++;
			}
			f->p[f->count] = s->unq + start;
			f->n[f->count++] = u - start;
			if (q < end && *q == '\r' && q + 1 < end && q[1] == '\n')
				q++;
			if (q >= end) {
				if (!final)
					return 0;
				break;
			}
			if (*q == ',') {
				q++;
				continue;
			}
			if (*q == '\n') {
				q++;
				break;
			}
			bad = true; /* text after the closing quote: skip to the line end */
			const char *n2 = memchr(q, '\n', (size_t)(end - q));
			if (!n2 && !final)
				return 0;
			q = n2 ? n2 + 1 : end;
			break;
		}
		const char *c = q;
		while (c < end && *c != ',' && *c != '\n' && *c != '"')
			c++;
		if (c < end && *c == '"') {
			bad = true;
			const char *n2 = memchr(c, '\n', (size_t)(end - c));
			if (!n2 && !final)
				return 0;
			q = n2 ? n2 + 1 : end;
			break;
		}
		if (c >= end && !final)
			return 0;
		const char *e = c;
		if (c < end && *c == '\n' && e > q && e[-1] == '\r')
			e--;
		f->p[f->count] = q;
		f->n[f->count++] = (size_t)(e - q);
		if (c >= end) {
			q = end;
			break;
		}
		q = c + 1;
		if (*c == '\n')
			break;
	}
	if (bad)
		f->count = -1;
	return (size_t)(q - p);
}

static dd_status scan(struct match_scanner *s, const char *p, const char *end, bool final, size_t *used, dd_error *err)
{
	const char *start = p;
	struct match_fields f;
	dd_status rc = DD_OK;
	while (p < end) {
		uint64_t lines;
		size_t k = split_record(s, p, end, final, &f, &lines, err, &rc);
		if (rc)
			return rc;
		if (!k)
			break;
		f.line = s->line;
		s->line += lines;
		if (!(f.count == 1 && f.n[0] == 0) && (rc = s->fn(s->ctx, &f, err)))
			return rc;
		p += k;
	}
	*used = (size_t)(p - start);
	return DD_OK;
}

dd_status match_scanner_feed(struct match_scanner *s, const char *data, size_t n, dd_error *err)
{
	size_t used;
	dd_status rc;
	if (s->ncarry) {
		/* complete the carried record with bytes up to the next LF (quoted
		 * LFs may need more: then carry on) */
		const char *nl = memchr(data, '\n', n);
		size_t take = nl ? (size_t)(nl - data) + 1 : n;
		if (s->ncarry + take > MATCH_MAX_RECORD)
			return dd_fail(err, DD_ELIMIT, "", "第 %llu 行：记录超过 %zu 字节 (record too long)",
				       (unsigned long long)s->line, MATCH_MAX_RECORD);
		if (s->ncarry + take > s->capcarry) {
			size_t nc = (s->ncarry + take) * 2;
			char *c = realloc(s->carry, nc);
			if (!c)
				return dd_fail(err, DD_ENOMEM, "", "内存不足 (out of memory)");
			s->carry = c;
			s->capcarry = nc;
		}
		memcpy(s->carry + s->ncarry, data, take);
		s->ncarry += take;
		data += take;
		n -= take;
		if ((rc = scan(s, s->carry, s->carry + s->ncarry, false, &used, err)))
			return rc;
		memmove(s->carry, s->carry + used, s->ncarry - used);
		s->ncarry -= used;
		if (s->ncarry) { /* still incomplete (a quoted LF): keep collecting */
			if (!n)
				return DD_OK;
			return match_scanner_feed(s, data, n, err);
		}
	}
	if ((rc = scan(s, data, data + n, false, &used, err)))
		return rc;
	size_t rest = n - used;
	if (rest) {
		if (rest > MATCH_MAX_RECORD)
			return dd_fail(err, DD_ELIMIT, "", "第 %llu 行：记录超过 %zu 字节 (record too long)",
				       (unsigned long long)s->line, MATCH_MAX_RECORD);
		if (rest > s->capcarry) {
			char *c = realloc(s->carry, rest * 2);
			if (!c)
				return dd_fail(err, DD_ENOMEM, "", "内存不足 (out of memory)");
			s->carry = c;
			s->capcarry = rest * 2;
		}
		memcpy(s->carry, data + used, rest);
		s->ncarry = rest;
	}
	return DD_OK;
}

dd_status match_scanner_finish(struct match_scanner *s, dd_error *err)
{
	size_t used;
	dd_status rc = DD_OK;
	if (s->ncarry)
		rc = scan(s, s->carry, s->carry + s->ncarry, true, &used, err);
	s->ncarry = 0;
	return rc;
}

void match_reject_row(struct strbuf *sb, uint64_t line, const char *field, const char *why)
{
	strbuf_add_int(sb, (int64_t)line);
	strbuf_addc(sb, ',');
	csv_append_field(sb, field, strlen(field), CSV_OUT_PROTECT);
	strbuf_addc(sb, ',');
	csv_append_field(sb, why, strlen(why), CSV_OUT_PROTECT);
	strbuf_adds(sb, "\r\n");
}
