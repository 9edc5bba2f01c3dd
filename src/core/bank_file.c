/* bank_file.c - bank file templates and return files (bank_file.h). No I/O. */
#include "bank_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const field_codes[BF_COUNT] = {
    [BF_SEQ] = "seq",	      [BF_NAME] = "name",	[BF_ID_NUMBER] = "id_number",
    [BF_ACCOUNT] = "account", [BF_AMOUNT] = "amount",	[BF_PROGRAMME_NAME] = "programme_name",
    [BF_PERIOD] = "period",   [BF_VILLAGE] = "village", [BF_MEMO] = "memo",
};

static const char *const return_codes[BRC_COUNT] = {
    [BRC_ACCOUNT] = "account", [BRC_AMOUNT] = "amount",	    [BRC_RESULT] = "result",
    [BRC_REASON] = "reason",   [BRC_BANK_REF] = "bank_ref",
};

static const char *const placeholders[] = {"county_name", "county", "period", "programme_name",
					   "bank_name",	  "count",  "total",  "batch"};

bool bank_field_parse(const char *s, enum bank_field *out)
{
	for (int f = 0; s && f < BF_COUNT; f++)
		if (strcmp(s, field_codes[f]) == 0) {
			*out = (enum bank_field)f;
			return true;
		}
	return false;
}

const char *bank_field_code(enum bank_field f)
{
	return f >= 0 && f < BF_COUNT ? field_codes[f] : "";
}

const char *bank_return_col_code(enum bank_return_col c)
{
	return c >= 0 && c < BRC_COUNT ? return_codes[c] : "";
}

bool bank_code_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > BANK_CODE_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

bool bank_text_formula_like(const char *s)
{
	return s && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@');
}

/* A title or cell: 1..BANK_TITLE_MAX bytes (0 allowed for header cells),
 * no control characters. */
static bool text_ok(const struct json_value *v, bool allow_empty)
{
	if (!v || v->type != JSON_STRING || v->len > BANK_TITLE_MAX || (!allow_empty && v->len == 0))
		return false;
	for (uint32_t i = 0; i < v->len; i++)
		if ((unsigned char)v->str[i] < 0x20 || v->str[i] == 0x7f)
			return false;
	return true;
}

/* Every {name} in s is a known placeholder. */
static bool placeholders_ok(const char *s)
{
	for (const char *p = strchr(s, '{'); p; p = strchr(p + 1, '{')) {
		const char *end = strchr(p, '}');
		if (!end)
			return false;
		bool known = false;
		for (size_t i = 0; i < sizeof placeholders / sizeof placeholders[0]; i++)
			known |= strlen(placeholders[i]) == (size_t)(end - p - 1) &&
				 memcmp(placeholders[i], p + 1, (size_t)(end - p - 1)) == 0;
		if (!known)
			return false;
	}
	return true;
}

/* Object members may not repeat (json.h leaves that to the reader). */
static bool members_unique(const struct json_value *o)
{
	for (const struct json_value *a = o->child; a; a = a->next)
		for (const struct json_value *b = a->next; b; b = b->next)
			if (a->key_len == b->key_len && memcmp(a->key, b->key, a->key_len) == 0)
				return false;
	return true;
}

dd_status bank_template_read(const struct json_value *columns, const struct json_value *header,
			     const struct json_value *return_columns, struct arena *a, struct bank_template *t,
			     dd_error *err)
{
	memset(t, 0, sizeof *t);
	if (!columns || columns->type != JSON_ARRAY || columns->len == 0 || columns->len > BANK_COLUMNS_MAX)
		return dd_fail(err, DD_EINVAL, "columns", "columns 须为 1 至 %d 个列的数组", BANK_COLUMNS_MAX);
	bool seen[BF_COUNT] = {0};
	size_t i = 0;
	for (const struct json_value *c = columns->child; c; c = c->next, i++) {
		char path[48];
		snprintf(path, sizeof path, "columns[%zu]", i);
		if (c->type != JSON_OBJECT || !members_unique(c))
			return dd_fail(err, DD_EINVAL, path, "每一列须为 {\"title\",\"field\"} 对象");
		for (const struct json_value *m = c->child; m; m = m->next)
			if (!((m->key_len == 5 && memcmp(m->key, "title", 5) == 0) ||
			      (m->key_len == 5 && memcmp(m->key, "field", 5) == 0)))
				return dd_fail(err, DD_EINVAL, path, "列只能有 title 和 field 两个字段");
		const struct json_value *title = json_get(c, "title"), *field = json_get(c, "field");
		snprintf(path, sizeof path, "columns[%zu].title", i);
		if (!text_ok(title, false))
			return dd_fail(err, DD_EINVAL, path, "列标题须为 1 至 %d 字节的文字，不含控制字符",
				       BANK_TITLE_MAX);
		snprintf(path, sizeof path, "columns[%zu].field", i);
		enum bank_field f;
		if (!field || field->type != JSON_STRING || !bank_field_parse(field->str, &f))
			return dd_fail(err, DD_EINVAL, path,
				       "字段须为 seq、name、id_number、account、amount、programme_name、period、"
				       "village、memo 之一");
		if (seen[f])
			return dd_fail(err, DD_EINVAL, path, "字段 %s 重复", field_codes[f]);
		seen[f] = true;
		t->columns[i].title = title->str;
		t->columns[i].field = f;
	}
	t->ncolumns = i;
	if (!seen[BF_ACCOUNT] || !seen[BF_AMOUNT])
		return dd_fail(err, DD_EINVAL, "columns", "银行文件须有 account（银行账号）和 amount（金额）两列");
	if (header && header->type != JSON_NULL) {
		if (header->type != JSON_ARRAY || header->len > BANK_HEADER_LINES_MAX)
			return dd_fail(err, DD_EINVAL, "header", "header 须为不超过 %d 行的数组，每行为文字数组",
				       BANK_HEADER_LINES_MAX);
		size_t l = 0;
		for (const struct json_value *line = header->child; line; line = line->next, l++) {
			char path[48];
			snprintf(path, sizeof path, "header[%zu]", l);
			if (line->type != JSON_ARRAY || line->len == 0 || line->len > BANK_HEADER_CELLS_MAX)
				return dd_fail(err, DD_EINVAL, path, "表头每行须为 1 至 %d 个文字的数组",
					       BANK_HEADER_CELLS_MAX);
			const char **cells = arena_calloc(a, line->len, sizeof *cells);
			if (!cells)
				return dd_fail(err, DD_ENOMEM, path, "内存不足 (out of memory)");
			size_t k = 0;
			for (const struct json_value *cell = line->child; cell; cell = cell->next, k++) {
				snprintf(path, sizeof path, "header[%zu][%zu]", l, k);
				if (!text_ok(cell, true))
					return dd_fail(err, DD_EINVAL, path,
						       "表头单元格须为不超过 %d 字节的文字，不含控制字符",
						       BANK_TITLE_MAX);
				if (!placeholders_ok(cell->str))
					return dd_fail(err, DD_EINVAL, path,
						       "表头只能使用 {county_name} {county} {period} {programme_name} "
						       "{bank_name} {count} {total} {batch} 这些占位符");
				cells[k] = cell->str;
			}
			t->header[l].cells = cells;
			t->header[l].ncells = k;
		}
		t->nheader = l;
	}
	if (!return_columns || return_columns->type != JSON_OBJECT || !members_unique(return_columns))
		return dd_fail(err, DD_EINVAL, "return_columns",
			       "return_columns 须为对象：{\"account\",\"amount\",\"result\",\"reason\",\"bank_ref\"}");
	for (const struct json_value *m = return_columns->child; m; m = m->next) {
		int c = -1;
		for (int k = 0; k < BRC_COUNT; k++)
			if (m->key_len == strlen(return_codes[k]) && memcmp(m->key, return_codes[k], m->key_len) == 0)
				c = k;
		char path[48];
		snprintf(path, sizeof path, "return_columns.%.*s", (int)(m->key_len > 20 ? 20 : m->key_len), m->key);
		if (c < 0)
			return dd_fail(err, DD_EINVAL, path,
				       "回盘文件的列只能是 account、amount、result、reason、bank_ref");
		if (m->type == JSON_NULL)
			continue;
		if (!text_ok(m, false))
			return dd_fail(err, DD_EINVAL, path, "回盘文件的列标题须为 1 至 %d 字节的文字", BANK_TITLE_MAX);
		for (int k = 0; k < BRC_COUNT; k++)
			if (t->return_titles[k] && strcmp(t->return_titles[k], m->str) == 0)
				return dd_fail(err, DD_EINVAL, path, "回盘文件的列标题重复");
		t->return_titles[c] = m->str;
	}
	for (int k = BRC_ACCOUNT; k <= BRC_RESULT; k++)
		if (!t->return_titles[k]) {
			char path[48];
			snprintf(path, sizeof path, "return_columns.%s", return_codes[k]);
			return dd_fail(err, DD_EINVAL, path, "回盘文件须指明账号、金额和处理结果三列的标题");
		}
	return DD_OK;
}

dd_status bank_template_parse(const char *columns, const char *header, const char *return_columns, struct arena *a,
			      struct bank_template *t, dd_error *err)
{
	struct json_limits lim = {.max_depth = 4};
	struct json_value *c = NULL, *h = NULL, *r = NULL;
	dd_status rc = json_parse(columns ? columns : "", columns ? strlen(columns) : 0, a, &lim, &c, err);
	if (!rc && header)
		rc = json_parse(header, strlen(header), a, &lim, &h, err);
	if (!rc)
		rc = json_parse(return_columns ? return_columns : "", return_columns ? strlen(return_columns) : 0, a,
				&lim, &r, err);
	return rc ? rc : bank_template_read(c, h, r, a, t, err);
}

void bank_template_columns_json(const struct bank_template *t, struct strbuf *out)
{
	strbuf_addc(out, '[');
	for (size_t i = 0; i < t->ncolumns; i++) {
		strbuf_adds(out, i ? ",{\"title\":" : "{\"title\":");
		strbuf_add_json_string(out, t->columns[i].title, strlen(t->columns[i].title));
		strbuf_addf(out, ",\"field\":\"%s\"}", field_codes[t->columns[i].field]);
	}
	strbuf_addc(out, ']');
}

void bank_template_header_json(const struct bank_template *t, struct strbuf *out)
{
	strbuf_addc(out, '[');
	for (size_t l = 0; l < t->nheader; l++) {
		strbuf_adds(out, l ? ",[" : "[");
		for (size_t k = 0; k < t->header[l].ncells; k++) {
			if (k)
				strbuf_addc(out, ',');
			strbuf_add_json_string(out, t->header[l].cells[k], strlen(t->header[l].cells[k]));
		}
		strbuf_addc(out, ']');
	}
	strbuf_addc(out, ']');
}

void bank_template_return_json(const struct bank_template *t, struct strbuf *out)
{
	strbuf_addc(out, '{');
	for (int k = 0, n = 0; k < BRC_COUNT; k++) {
		if (!t->return_titles[k])
			continue;
		strbuf_addf(out, "%s\"%s\":", n++ ? "," : "", return_codes[k]);
		strbuf_add_json_string(out, t->return_titles[k], strlen(t->return_titles[k]));
	}
	strbuf_addc(out, '}');
}

void bank_header_expand(const char *cell, const struct bank_header_vars *v, struct strbuf *out)
{
	const char *values[] = {v->county_name, v->county, v->period, v->programme_name,
				v->bank_name,	v->count,  v->total,  v->batch};
	const char *p = cell;
	while (*p) {
		const char *open = strchr(p, '{');
		const char *close = open ? strchr(open, '}') : NULL;
		if (!open || !close) {
			strbuf_adds(out, p);
			return;
		}
		strbuf_add(out, p, (size_t)(open - p));
		size_t n = (size_t)(close - open - 1);
		bool done = false;
		for (size_t i = 0; !done && i < sizeof placeholders / sizeof placeholders[0]; i++)
			if (strlen(placeholders[i]) == n && memcmp(placeholders[i], open + 1, n) == 0) {
				strbuf_adds(out, values[i] ? values[i] : "");
				done = true;
			}
		if (!done)
			strbuf_add(out, open, n + 2);
		p = close + 1;
	}
}

/* --- return files --------------------------------------------------------- */

struct return_reader {
	const struct bank_template *t;
	int col[BRC_COUNT];
	bool found;
	bank_return_fn fn;
	void *ctx;
	struct csv_parser csv;
	char *trim[BRC_COUNT]; /* the current row's trimmed cells */
	size_t trim_cap[BRC_COUNT];
};

/* Copies s without surrounding blanks (ASCII spaces, tabs, U+3000) into a
 * NUL-terminated buffer of the reader; a leading apostrophe (a protected
 * text echoed back) is dropped. */
static const char *trimmed(struct return_reader *r, int k, const char *s, size_t n, dd_error *err, dd_status *rc)
{
	while (n && (s[0] == ' ' || s[0] == '\t'))
		s++, n--;
	while (n >= 3 && memcmp(s, "\xE3\x80\x80", 3) == 0)
		s += 3, n -= 3;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	while (n >= 3 && memcmp(s + n - 3, "\xE3\x80\x80", 3) == 0)
		n -= 3;
	if (n && s[0] == '\'')
		s++, n--;
	if (n + 1 > r->trim_cap[k]) { /* cannot happen: the parser bounds a field */
		*rc = dd_fail(err, DD_ELIMIT, NULL, "回盘文件的单元格过长");
		return NULL;
	}
	memcpy(r->trim[k], s, n);
	r->trim[k][n] = '\0';
	return r->trim[k];
}

static bool cell_is(const struct csv_field *f, const char *title)
{
	const char *s = f->p;
	size_t n = f->n;
	while (n && (s[0] == ' ' || s[0] == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n == strlen(title) && memcmp(s, title, n) == 0;
}

static dd_status on_record(void *ctx, const struct csv_record *rec, dd_error *err)
{
	struct return_reader *r = ctx;
	if (!r->found) {
		for (int k = 0; k < BRC_COUNT; k++) {
			r->col[k] = -1;
			for (size_t i = 0; r->t->return_titles[k] && i < rec->n_fields; i++)
				if (r->col[k] < 0 && cell_is(&rec->fields[i], r->t->return_titles[k]))
					r->col[k] = (int)i;
		}
		r->found = r->col[BRC_ACCOUNT] >= 0 && r->col[BRC_AMOUNT] >= 0 && r->col[BRC_RESULT] >= 0;
		return DD_OK;
	}
	bool blank = true;
	for (size_t i = 0; i < rec->n_fields; i++)
		for (size_t j = 0; j < rec->fields[i].n; j++)
			blank &= rec->fields[i].p[j] == ' ' || rec->fields[i].p[j] == '\t';
	if (blank)
		return DD_OK;
	struct bank_return_row row = {.line = rec->line, .reason = "", .bank_ref = ""};
	const char *cell[BRC_COUNT] = {0};
	dd_status rc = DD_OK;
	for (int k = 0; k < BRC_COUNT; k++) {
		int c = r->col[k];
		const char *s = c >= 0 && (size_t)c < rec->n_fields ? rec->fields[c].p : "";
		size_t n = c >= 0 && (size_t)c < rec->n_fields ? rec->fields[c].n : 0;
		if (!(cell[k] = trimmed(r, k, s, n, err, &rc)))
			return rc;
	}
	row.account = cell[BRC_ACCOUNT];
	row.reason = cell[BRC_REASON];
	row.bank_ref = cell[BRC_BANK_REF];
	dd_error merr;
	dd_error_clear(&merr);
	if (!row.account[0])
		row.error = "银行账号为空";
	else if (money_parse(cell[BRC_AMOUNT], strlen(cell[BRC_AMOUNT]), MONEY_PLAIN, &row.amount, &merr) ||
		 row.amount <= 0)
		row.error = "金额无法识别（须为大于 0、至多两位小数的数字）";
	else if (strcmp(cell[BRC_RESULT], "成功") == 0)
		row.paid = true;
	else if (strcmp(cell[BRC_RESULT], "失败") == 0)
		row.paid = false;
	else
		row.error = "处理结果须为“成功”或“失败”";
	return r->fn(r->ctx, &row, err);
}

dd_status bank_return_parse(const char *data, size_t n, const struct bank_template *t, bank_return_fn fn, void *ctx,
			    bool *found, dd_error *err)
{
	struct return_reader r = {.t = t, .fn = fn, .ctx = ctx};
	*found = false;
	struct csv_options opt = {.max_field = 4096, .max_fields = 256, .on_record = on_record, .ctx = &r};
	for (int k = 0; k < BRC_COUNT; k++) {
		r.col[k] = -1;
		r.trim_cap[k] = opt.max_field + 1;
	}
	struct text_decoder d;
	bool decoder = false;
	char *buf = NULL;
	dd_status rc = csv_init(&r.csv, &opt, err);
	if (rc)
		return rc;
	if (!(buf = malloc(BRC_COUNT * r.trim_cap[0]))) {
		rc = dd_fail(err, DD_ENOMEM, NULL, "内存不足 (out of memory)");
		goto done;
	}
	for (int k = 0; k < BRC_COUNT; k++)
		r.trim[k] = buf + (size_t)k * r.trim_cap[0];
	if ((rc = text_decoder_init(&d, TEXT_AUTO, csv_sink, &r.csv, err)))
		goto done;
	decoder = true;
	if ((rc = text_decoder_feed(&d, data, n, err)) || (rc = text_decoder_finish(&d, err)) ||
	    (rc = csv_finish(&r.csv, err)))
		goto done;
	*found = r.found;
	if (!r.found)
		rc = dd_fail(err, DD_EINVAL, "file", "回盘文件中找不到标题行（须含“%s”“%s”“%s”三列）",
			     t->return_titles[BRC_ACCOUNT], t->return_titles[BRC_AMOUNT], t->return_titles[BRC_RESULT]);
done:
	if (decoder)
		text_decoder_release(&d);
	csv_release(&r.csv);
	free(buf);
	return rc;
}
