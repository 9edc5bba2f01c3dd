/* xlsx_in.c - reading the first worksheet of an XLSX in memory (xlsx_in.h).
 *
 * The zip is read through minizip's ioapi over the caller's buffer; each
 * part is inflated in 64 KiB pieces straight into an expat parser (with
 * namespace processing, so elements are matched by local name whatever the
 * prefixes). A part is counted while it inflates, so no part can exceed the
 * limit in memory. */
#include "xlsx_in.h"

#include <expat.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unzip.h>

#include "core/strbuf.h"

#define NS_SEP ' ' /* between namespace URI and local name (a URI has no space) */
#define DEPTH_MAX 64
#define NAME_MAX_LEN 512
#define CHUNK 65536

bool xlsx_in_is_zip(const void *data, size_t len)
{
	const unsigned char *p = data;
	return len >= 4 && p[0] == 'P' && p[1] == 'K' && ((p[2] == 3 && p[3] == 4) || (p[2] == 5 && p[3] == 6));
}

/* --- the zip over memory (minizip ioapi) --- */

struct membuf {
	const unsigned char *p;
	ZPOS64_T len, pos;
};

static voidpf ZCALLBACK mem_open(voidpf opaque, const void *filename, int mode)
{
	(void)filename;
	if ((mode & ZLIB_FILEFUNC_MODE_READWRITEFILTER) != ZLIB_FILEFUNC_MODE_READ)
		return NULL;
	struct membuf *m = opaque;
	m->pos = 0;
	return m;
}

static uLong ZCALLBACK mem_read(voidpf opaque, voidpf stream, void *buf, uLong size)
{
	(void)opaque;
	struct membuf *m = stream;
	ZPOS64_T left = m->len - m->pos;
	if ((ZPOS64_T)size > left)
		size = (uLong)left;
	if (size)
		memcpy(buf, m->p + m->pos, size);
	m->pos += size;
	return size;
}

static uLong ZCALLBACK mem_write(voidpf opaque, voidpf stream, const void *buf, uLong size)
{
	(void)opaque;
	(void)stream;
	(void)buf;
	(void)size;
	return 0;
}

static ZPOS64_T ZCALLBACK mem_tell(voidpf opaque, voidpf stream)
{
	(void)opaque;
	return ((struct membuf *)stream)->pos;
}

static long ZCALLBACK mem_seek(voidpf opaque, voidpf stream, ZPOS64_T offset, int origin)
{
	(void)opaque;
	struct membuf *m = stream;
	ZPOS64_T base;
	switch (origin) {
	case ZLIB_FILEFUNC_SEEK_SET:
		base = 0;
		break;
	case ZLIB_FILEFUNC_SEEK_CUR:
		base = m->pos;
		break;
	case ZLIB_FILEFUNC_SEEK_END:
		base = m->len;
		break;
	default:
		return -1;
	}
	if (offset > m->len - base)
		return -1;
	m->pos = base + offset;
	return 0;
}

static int ZCALLBACK mem_close(voidpf opaque, voidpf stream)
{
	(void)opaque;
	(void)stream;
	return 0;
}

static int ZCALLBACK mem_error(voidpf opaque, voidpf stream)
{
	(void)opaque;
	(void)stream;
	return 0;
}

/* --- reader state --- */

enum tag { T_OTHER, T_SHEETDATA, T_ROW, T_C, T_V, T_IS, T_T, T_R, T_SI, T_SST, T_SHEETS, T_SHEET, T_RELS, T_REL };

enum part_kind { P_WORKBOOK, P_RELS, P_SST, P_SHEET };

struct rd {
	struct xlsx_in_limits lim;
	xlsx_in_row_fn on_row;
	void *ctx;
	dd_error *err;
	dd_status rc; /* first error of the current part (parse stopped) */
	XML_Parser xp;
	const char *part;
	enum part_kind kind;
	unsigned char tags[DEPTH_MAX];
	unsigned depth;

	/* workbook.xml and its rels */
	char sheet_rid[NAME_MAX_LEN];
	bool have_sheet;
	char sheet_target[NAME_MAX_LEN];
	char sst_target[NAME_MAX_LEN];

	/* shared strings: texts, each NUL-terminated, in sst_text */
	struct strbuf sst_text;
	size_t *sst_off, *sst_len;
	size_t n_sst, sst_cap;

	/* the text being collected (a <v>, a <t>) */
	struct strbuf text;
	bool collecting;
	bool in_rph;

	/* the sheet */
	uint32_t row, prev_row;
	bool in_row;
	uint32_t col, prev_col; /* 1-based; prev_col 0 = none yet in this row */
	char type[16];
	bool has_v;
	struct strbuf rowtext;
	size_t *cell_off, *cell_len; /* per column (0-based), SIZE_MAX = empty */
	uint32_t last_nonempty;	     /* 1-based, 0 = none */
	struct csv_field *fields;
};

static void col_name(uint32_t col, char out[8])
{
	char tmp[8];
	int n = 0;
	while (col > 0 && n < 7) {
		uint32_t d = (col - 1) % 26;
		tmp[n++] = (char)('A' + d);
		col = (col - 1) / 26;
	}
	for (int i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
}

/* Records the part's error (the first one) and stops the parser. */
static void fail_v(struct rd *r, dd_status code, const char *field, const char *fmt, va_list ap)
{
	if (r->rc)
		return;
	char msg[DD_MESSAGE_MAX];
	vsnprintf(msg, sizeof msg, fmt, ap);
	r->rc = dd_fail(r->err, code, field, "%s", msg);
	if (r->xp)
		XML_StopParser(r->xp, XML_FALSE);
}

static void fail(struct rd *r, dd_status code, const char *fmt, ...) DD_PRINTF(3, 4);
static void fail(struct rd *r, dd_status code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fail_v(r, code, r->part, fmt, ap);
	va_end(ap);
}

/* An error about the current cell: "PART 第 ROW 行 COL 列：MSG"; field "C12". */
static void cell_fail(struct rd *r, dd_status code, const char *zh, const char *en, ...) DD_PRINTF(4, 5);
static void cell_fail(struct rd *r, dd_status code, const char *zh, const char *en, ...)
{
	if (r->rc)
		return;
	char c[8], z[160], e[160], field[32];
	col_name(r->col, c);
	va_list ap;
	va_start(ap, en);
	vsnprintf(z, sizeof z, zh, ap);
	va_end(ap);
	va_start(ap, en);
	vsnprintf(e, sizeof e, en, ap);
	va_end(ap);
	snprintf(field, sizeof field, "%s%lu", c, (unsigned long)r->row);
	r->rc = dd_fail(r->err, code, field, "%s 第 %lu 行 %s 列：%s (%s, row %lu, column %s: %s)", r->part,
			(unsigned long)r->row, c, z, r->part, (unsigned long)r->row, c, e);
	XML_StopParser(r->xp, XML_FALSE);
}

static void oom(struct rd *r)
{
	fail(r, DD_ENOMEM, "内存不足 (out of memory)");
}

static const char *local(const char *name)
{
	const char *s = strrchr(name, NS_SEP);
	return s ? s + 1 : name;
}

/* An attribute by local name; ns: only a namespaced one (r:id), else only
 * an unqualified one. */
static const char *attr(const char **atts, const char *name, bool ns)
{
	for (size_t i = 0; atts[i]; i += 2) {
		const char *sep = strrchr(atts[i], NS_SEP);
		if (ns ? sep && strcmp(sep + 1, name) == 0 : !sep && strcmp(atts[i], name) == 0)
			return atts[i + 1];
	}
	return NULL;
}

static enum tag tag_of(const char *l)
{
	static const struct {
		const char *name;
		enum tag t;
	} tags[] = {
	    {"sheetData", T_SHEETDATA},
	    {"row", T_ROW},
	    {"c", T_C},
	    {"v", T_V},
	    {"is", T_IS},
	    {"t", T_T},
	    {"r", T_R},
	    {"si", T_SI},
	    {"sst", T_SST},
	    {"sheets", T_SHEETS},
	    {"sheet", T_SHEET},
	    {"Relationships", T_RELS},
	    {"Relationship", T_REL},
	};
	for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
		if (strcmp(l, tags[i].name) == 0)
			return tags[i].t;
	return T_OTHER; /* rPh among them: its <t> is never collected */
}

/* The tag n levels above the element being handled (1 = its parent). */
static enum tag up(const struct rd *r, unsigned n)
{
	if (r->depth < n || r->depth - n >= DEPTH_MAX)
		return T_OTHER;
	return (enum tag)r->tags[r->depth - n];
}

static void on_text(void *ud, const XML_Char *s, int len)
{
	struct rd *r = ud;
	if (!r->collecting || r->rc || len <= 0)
		return;
	if (r->text.len + (size_t)len > r->lim.max_cell_bytes) {
		if (r->kind == P_SHEET)
			cell_fail(r, DD_ELIMIT, "单元格文字超过 %zu 字节", "cell text longer than %zu bytes",
				  r->lim.max_cell_bytes);
		else
			fail(r, DD_ELIMIT,
			     "%s 第 %zu 条共享字符串超过 %zu 字节 (%s: shared string %zu longer than %zu bytes)",
			     r->part, r->n_sst + 1, r->lim.max_cell_bytes, r->part, r->n_sst + 1,
			     r->lim.max_cell_bytes);
		return;
	}
	strbuf_add(&r->text, s, (size_t)len);
	if (r->text.failed)
		oom(r);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Undoes the _xHHHH_ escapes of string texts (ST_Xstring: Excel writes a CR
 * in a cell as _x000D_ and a literal "_x" sequence as _x005F_x…) in place;
 * the result is never longer (7 bytes become at most 3). NUL and surrogate
 * halves stay as written. */
static void unescape_xstring(struct strbuf *t)
{
	if (!t->len)
		return;
	char *s = t->buf;
	size_t w = 0;
	for (size_t i = 0; i < t->len;) {
		if (s[i] == '_' && i + 7 <= t->len && s[i + 1] == 'x' && s[i + 6] == '_') {
			unsigned cp = 0;
			bool hex = true;
			for (size_t k = 2; k < 6 && hex; k++) {
				int h = hexval(s[i + k]);
				hex = h >= 0;
				cp = cp << 4 | (unsigned)(hex ? h : 0);
			}
			if (hex && cp != 0 && (cp < 0xD800 || cp > 0xDFFF)) {
				if (cp < 0x80) {
					s[w++] = (char)cp;
				} else if (cp < 0x800) {
					s[w++] = (char)(0xC0 | cp >> 6);
					s[w++] = (char)(0x80 | (cp & 0x3F));
				} else {
					s[w++] = (char)(0xE0 | cp >> 12);
					s[w++] = (char)(0x80 | (cp >> 6 & 0x3F));
					s[w++] = (char)(0x80 | (cp & 0x3F));
				}
				i += 7;
				continue;
			}
		}
		s[w++] = s[i++];
	}
	t->len = w;
	s[w] = '\0';
}

/* --- workbook.xml, workbook.xml.rels --- */

static void wb_start(struct rd *r, enum tag t, const char **atts)
{
	if (t == T_SHEET && up(r, 1) == T_SHEETS && !r->have_sheet) {
		const char *id = attr(atts, "id", true);
		if (id && strlen(id) < sizeof r->sheet_rid) {
			memcpy(r->sheet_rid, id, strlen(id) + 1);
			r->have_sheet = true;
		}
	}
}

/* Resolves a relationship target against xl/ into out (no "..", no "."). */
static bool resolve_target(const char *target, char *out, size_t cap)
{
	char buf[NAME_MAX_LEN * 2];
	int n =
	    target[0] == '/' ? snprintf(buf, sizeof buf, "%s", target + 1) : snprintf(buf, sizeof buf, "xl/%s", target);
	if (n < 0 || (size_t)n >= sizeof buf)
		return false;
	size_t len = 0;
	char *save = NULL;
	for (char *seg = strtok_r(buf, "/", &save); seg; seg = strtok_r(NULL, "/", &save)) {
		if (strcmp(seg, ".") == 0)
			continue;
		if (strcmp(seg, "..") == 0) {
			if (len == 0)
				return false;
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--; /* the slash */
			continue;
		}
		size_t sl = strlen(seg);
		if (len + sl + 2 > cap)
			return false;
		if (len)
			out[len++] = '/';
		memcpy(out + len, seg, sl);
		len += sl;
	}
	out[len] = '\0';
	return len > 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void rels_start(struct rd *r, enum tag t, const char **atts)
{
	if (t != T_REL || up(r, 1) != T_RELS)
		return;
	const char *id = attr(atts, "Id", false), *target = attr(atts, "Target", false);
	const char *type = attr(atts, "Type", false), *mode = attr(atts, "TargetMode", false);
	if (!id || !target || !type || (mode && strcmp(mode, "External") == 0))
		return;
	if (r->have_sheet && !r->sheet_target[0] && strcmp(id, r->sheet_rid) == 0 && ends_with(type, "/worksheet"))
		(void)resolve_target(target, r->sheet_target, sizeof r->sheet_target);
	else if (!r->sst_target[0] && ends_with(type, "/sharedStrings"))
		(void)resolve_target(target, r->sst_target, sizeof r->sst_target);
}

/* --- sharedStrings.xml --- */

static bool in_si_text(const struct rd *r)
{
	/* <si><t> or <si><r><t>; never <si><rPh><t> */
	return (up(r, 1) == T_SI && up(r, 2) == T_SST) || (up(r, 1) == T_R && up(r, 2) == T_SI && up(r, 3) == T_SST);
}

static void sst_start(struct rd *r, enum tag t)
{
	if (t == T_SI && up(r, 1) == T_SST) {
		if (r->n_sst >= r->lim.max_shared) {
			fail(r, DD_ELIMIT, "%s：共享字符串超过 %zu 条 (%s: more than %zu shared strings)", r->part,
			     r->lim.max_shared, r->part, r->lim.max_shared);
			return;
		}
		strbuf_reset(&r->text);
	} else if (t == T_T && in_si_text(r)) {
		r->collecting = true;
	}
}

static void sst_end(struct rd *r, enum tag t)
{
	if (t == T_T) {
		r->collecting = false;
		return;
	}
	if (t != T_SI || up(r, 1) != T_SST)
		return;
	if (r->n_sst == r->sst_cap) {
		size_t cap = r->sst_cap ? r->sst_cap * 2 : 256;
		size_t *o = realloc(r->sst_off, cap * sizeof *o);
		if (!o) {
			oom(r);
			return;
		}
		r->sst_off = o;
		size_t *l = realloc(r->sst_len, cap * sizeof *l);
		if (!l) {
			oom(r);
			return;
		}
		r->sst_len = l;
		r->sst_cap = cap;
	}
	unescape_xstring(&r->text);
	r->sst_off[r->n_sst] = r->sst_text.len;
	r->sst_len[r->n_sst] = r->text.len;
	strbuf_add(&r->sst_text, r->text.len ? r->text.buf : "", r->text.len);
	strbuf_addc(&r->sst_text, '\0');
	if (r->sst_text.failed) {
		oom(r);
		return;
	}
	r->n_sst++;
}

/* --- the worksheet --- */

/* Parses "C5": column letters then the row number; false when malformed. */
static bool parse_ref(const char *s, uint32_t *col, uint32_t *row)
{
	uint32_t c = 0, rw = 0;
	size_t i = 0;
	for (; s[i] >= 'A' && s[i] <= 'Z'; i++) {
		if (i >= 3)
			return false;
		c = c * 26 + (uint32_t)(s[i] - 'A' + 1);
	}
	if (i == 0 || s[i] < '1' || s[i] > '9')
		return false;
	for (; s[i] >= '0' && s[i] <= '9'; i++) {
		if (rw > 100000000u)
			return false;
		rw = rw * 10 + (uint32_t)(s[i] - '0');
	}
	if (s[i])
		return false;
	*col = c;
	*row = rw;
	return true;
}

/* A row number: 1..max_rows; 0 when malformed, UINT32_MAX when too high. */
static uint32_t parse_row(const char *s)
{
	uint64_t v = 0;
	if (!*s)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX - 1)
			return UINT32_MAX;
	}
	return (uint32_t)v;
}

static void row_start(struct rd *r, const char **atts)
{
	const char *rs = attr(atts, "r", false);
	uint32_t n;
	if (rs) {
		n = parse_row(rs);
		if (n == 0) {
			fail(r, DD_EINVAL, "%s：行号“%.20s”无效 (%s: bad row number \"%.20s\")", r->part, rs, r->part,
			     rs);
			return;
		}
	} else {
		n = r->prev_row + 1;
	}
	if (n > r->lim.max_rows) {
		fail(r, DD_ELIMIT, "%s：第 %lu 行超过 %lu 行的上限 (%s: row %lu beyond the limit of %lu rows)", r->part,
		     (unsigned long)n, (unsigned long)r->lim.max_rows, r->part, (unsigned long)n,
		     (unsigned long)r->lim.max_rows);
		return;
	}
	if (n <= r->prev_row) {
		fail(r, DD_EINVAL,
		     "%s：第 %lu 行出现在第 %lu 行之后，行号须递增 (%s: row %lu after row %lu: rows out of order)",
		     r->part, (unsigned long)n, (unsigned long)r->prev_row, r->part, (unsigned long)n,
		     (unsigned long)r->prev_row);
		return;
	}
	r->row = n;
	r->in_row = true;
	r->prev_col = 0;
	r->last_nonempty = 0;
	strbuf_reset(&r->rowtext);
}

static void cell_start(struct rd *r, const char **atts)
{
	const char *ref = attr(atts, "r", false), *t = attr(atts, "t", false);
	uint32_t col, row;
	if (ref) {
		if (!parse_ref(ref, &col, &row)) {
			r->col = r->prev_col + 1;
			fail(r, DD_EINVAL,
			     "%s 第 %lu 行：单元格引用“%.20s”无效 (%s, row %lu: bad cell reference \"%.20s\")", r->part,
			     (unsigned long)r->row, ref, r->part, (unsigned long)r->row, ref);
			return;
		}
		if (row != r->row) {
			r->col = col;
			cell_fail(r, DD_EINVAL, "单元格引用“%.20s”不在本行", "cell reference \"%.20s\" not on this row",
				  ref);
			return;
		}
	} else {
		col = r->prev_col + 1;
	}
	r->col = col;
	if (col > r->lim.max_cols) {
		cell_fail(r, DD_ELIMIT, "超过 %lu 列的上限", "beyond the limit of %lu columns",
			  (unsigned long)r->lim.max_cols);
		return;
	}
	if (col <= r->prev_col) {
		cell_fail(r, DD_EINVAL, "单元格重复或列顺序颠倒", "duplicate cell or columns out of order");
		return;
	}
	/* the gap since the previous cell: empty */
	for (uint32_t k = r->prev_col + 1; k < col; k++)
		r->cell_off[k - 1] = SIZE_MAX;
	r->cell_off[col - 1] = SIZE_MAX;
	r->prev_col = col;
	size_t tl = t ? strlen(t) : 0;
	if (tl >= sizeof r->type) {
		cell_fail(r, DD_EINVAL, "单元格类型“%.15s”无法识别", "unknown cell type \"%.15s\"", t);
		return;
	}
	memcpy(r->type, t ? t : "n", t ? tl + 1 : 2);
	r->has_v = false;
	strbuf_reset(&r->text);
}

/* Stores the cell's final text (s, n) at its column. */
static void cell_put(struct rd *r, const char *s, size_t n)
{
	if (n == 0)
		return;
	r->cell_off[r->col - 1] = r->rowtext.len;
	r->cell_len[r->col - 1] = n;
	strbuf_add(&r->rowtext, s, n);
	strbuf_addc(&r->rowtext, '\0');
	if (r->rowtext.failed) {
		oom(r);
		return;
	}
	r->last_nonempty = r->col;
}

static void cell_end(struct rd *r)
{
	const char *ty = r->type;
	if (strcmp(ty, "inlineStr") == 0 || strcmp(ty, "str") == 0)
		unescape_xstring(&r->text);
	const char *v = r->text.len ? r->text.buf : "";
	size_t n = r->text.len;
	if (strcmp(ty, "n") == 0 || strcmp(ty, "str") == 0 || strcmp(ty, "e") == 0 || strcmp(ty, "d") == 0 ||
	    strcmp(ty, "inlineStr") == 0) {
		cell_put(r, v, n);
		return;
	}
	if (strcmp(ty, "b") == 0) {
		if (n == 0)
			return;
		if (strcmp(v, "1") == 0) {
			cell_put(r, "TRUE", 4);
			return;
		}
		if (strcmp(v, "0") == 0) {
			cell_put(r, "FALSE", 5);
			return;
		}
		cell_fail(r, DD_EINVAL, "逻辑值“%.20s”无效（应为 0 或 1）", "bad boolean \"%.20s\" (0 or 1 expected)",
			  v);
		return;
	}
	if (strcmp(ty, "s") == 0) {
		if (!r->has_v)
			return;
		uint64_t idx = 0;
		bool ok = n > 0 && n <= 10;
		for (size_t i = 0; ok && i < n; i++) {
			if (v[i] < '0' || v[i] > '9')
				ok = false;
			else
				idx = idx * 10 + (uint64_t)(v[i] - '0');
		}
		if (!ok) {
			cell_fail(r, DD_EINVAL, "共享字符串序号“%.20s”无效", "bad shared string index \"%.20s\"", v);
			return;
		}
		if (idx >= r->n_sst) {
			cell_fail(r, DD_EINVAL, "共享字符串序号 %llu 超出范围（共 %zu 条）",
				  "shared string index %llu out of range (%zu strings)", (unsigned long long)idx,
				  r->n_sst);
			return;
		}
		cell_put(r, r->sst_text.buf + r->sst_off[idx], r->sst_len[idx]);
		return;
	}
	cell_fail(r, DD_EINVAL, "单元格类型“%.15s”无法识别", "unknown cell type \"%.15s\"", ty);
}

static void row_end(struct rd *r)
{
	r->in_row = false;
	r->prev_row = r->row;
	if (!r->last_nonempty)
		return;
	for (uint32_t k = 0; k < r->last_nonempty; k++) {
		if (r->cell_off[k] == SIZE_MAX) {
			r->fields[k].p = "";
			r->fields[k].n = 0;
		} else {
			r->fields[k].p = r->rowtext.buf + r->cell_off[k];
			r->fields[k].n = r->cell_len[k];
		}
	}
	dd_error_clear(r->err);
	dd_status rc = r->on_row(r->ctx, r->row, r->fields, r->last_nonempty, r->err);
	if (rc) {
		if (!r->err->code)
			dd_fail(r->err, rc, NULL, "第 %lu 行的处理中止 (row %lu: the row callback stopped the read)",
				(unsigned long)r->row, (unsigned long)r->row);
		r->rc = rc;
		XML_StopParser(r->xp, XML_FALSE);
	}
}

static void sheet_start(struct rd *r, enum tag t, const char **atts)
{
	switch (t) {
	case T_ROW:
		if (up(r, 1) == T_SHEETDATA)
			row_start(r, atts);
		break;
	case T_C:
		if (up(r, 1) == T_ROW && up(r, 2) == T_SHEETDATA && r->in_row)
			cell_start(r, atts);
		break;
	case T_V:
		if (up(r, 1) == T_C && up(r, 2) == T_ROW) {
			r->has_v = true;
			strbuf_reset(&r->text);
			r->collecting = true;
		}
		break;
	case T_T:
		/* <c><is><t> or <c><is><r><t> */
		if ((up(r, 1) == T_IS && up(r, 2) == T_C) || (up(r, 1) == T_R && up(r, 2) == T_IS && up(r, 3) == T_C))
			r->collecting = true;
		break;
	default:
		break;
	}
}

static void sheet_end(struct rd *r, enum tag t)
{
	switch (t) {
	case T_V:
	case T_T:
		r->collecting = false;
		break;
	case T_C:
		if (up(r, 1) == T_ROW && up(r, 2) == T_SHEETDATA && r->in_row)
			cell_end(r);
		break;
	case T_ROW:
		if (up(r, 1) == T_SHEETDATA && r->in_row)
			row_end(r);
		break;
	default:
		break;
	}
}

/* --- expat handlers --- */

static void on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct rd *r = ud;
	if (r->rc)
		return;
	enum tag t = tag_of(local(name));
	switch (r->kind) {
	case P_WORKBOOK:
		wb_start(r, t, atts);
		break;
	case P_RELS:
		rels_start(r, t, atts);
		break;
	case P_SST:
		sst_start(r, t);
		break;
	case P_SHEET:
		sheet_start(r, t, atts);
		break;
	}
	if (r->depth < DEPTH_MAX)
		r->tags[r->depth] = (unsigned char)t;
	r->depth++;
}

static void on_end(void *ud, const XML_Char *name)
{
	struct rd *r = ud;
	if (r->depth)
		r->depth--;
	if (r->rc)
		return;
	enum tag t = tag_of(local(name));
	if (r->kind == P_SST)
		sst_end(r, t);
	else if (r->kind == P_SHEET)
		sheet_end(r, t);
}

static void on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid,
		       int has_internal_subset)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal_subset;
	struct rd *r = ud;
	fail(r, DD_EINVAL, "%s：不允许 DOCTYPE 声明 (%s: DOCTYPE not allowed)", r->part, r->part);
}

/* --- one part --- */

/* Inflates part name (when present) through expat with the handlers of kind.
 * *found tells whether the part exists (absent: DD_OK, nothing parsed). */
static dd_status read_part(struct rd *r, unzFile uf, const char *name, enum part_kind kind, bool *found)
{
	*found = false;
	if (unzLocateFile(uf, name, 2) != UNZ_OK)
		return DD_OK;
	*found = true;
	r->part = name;
	r->kind = kind;
	r->rc = DD_OK;
	r->depth = 0;
	r->collecting = false;
	unz_file_info64 info;
	if (unzGetCurrentFileInfo64(uf, &info, NULL, 0, NULL, 0, NULL, 0) != UNZ_OK)
		return dd_fail(r->err, DD_EINVAL, name, "%s：ZIP 目录损坏 (%s: corrupt zip directory)", name, name);
	if (info.flag & 1)
		return dd_fail(r->err, DD_EINVAL, name, "%s：文件已加密，无法读取 (%s: encrypted)", name, name);
	if (info.uncompressed_size > r->lim.max_part_bytes)
		return dd_fail(r->err, DD_ELIMIT, name,
			       "%s：解压后超过 %zu 字节 (%s: larger than %zu bytes uncompressed)", name,
			       r->lim.max_part_bytes, name, r->lim.max_part_bytes);
	if (unzOpenCurrentFile(uf) != UNZ_OK)
		return dd_fail(
		    r->err, DD_EINVAL, name,
		    "%s：无法解压（压缩方式不支持或数据损坏）(%s: cannot inflate: unsupported method or corrupt)", name,
		    name);
	r->xp = XML_ParserCreateNS(NULL, NS_SEP);
	if (!r->xp) {
		unzCloseCurrentFile(uf);
		return dd_fail(r->err, DD_ENOMEM, name, "内存不足 (out of memory)");
	}
	XML_SetUserData(r->xp, r);
	XML_SetElementHandler(r->xp, on_start, on_end);
	XML_SetCharacterDataHandler(r->xp, on_text);
	XML_SetStartDoctypeDeclHandler(r->xp, on_doctype);

	char *buf = malloc(CHUNK);
	if (!buf) {
		XML_ParserFree(r->xp);
		r->xp = NULL;
		unzCloseCurrentFile(uf);
		return dd_fail(r->err, DD_ENOMEM, name, "内存不足 (out of memory)");
	}
	size_t total = 0;
	dd_status rc = DD_OK;
	for (;;) {
		int n = unzReadCurrentFile(uf, buf, CHUNK);
		if (n < 0) {
			rc = dd_fail(r->err, DD_EINVAL, name, "%s：压缩数据损坏 (%s: corrupt compressed data)", name,
				     name);
			break;
		}
		total += (size_t)n;
		if (total > r->lim.max_part_bytes) {
			rc = dd_fail(r->err, DD_ELIMIT, name,
				     "%s：解压后超过 %zu 字节 (%s: larger than %zu bytes uncompressed)", name,
				     r->lim.max_part_bytes, name, r->lim.max_part_bytes);
			break;
		}
		if (XML_Parse(r->xp, buf, n, n == 0) == XML_STATUS_ERROR) {
			if (r->rc)
				rc = r->rc;
			else
				rc = dd_fail(r->err, DD_EINVAL, name,
					     "%s：XML 格式错误（XML 文本第 %lu 行第 %lu 个字符）(%s: malformed XML at "
					     "line %lu, column %lu: "
					     "%s)",
					     name, (unsigned long)XML_GetCurrentLineNumber(r->xp),
					     (unsigned long)XML_GetCurrentColumnNumber(r->xp) + 1, name,
					     (unsigned long)XML_GetCurrentLineNumber(r->xp),
					     (unsigned long)XML_GetCurrentColumnNumber(r->xp) + 1,
					     XML_ErrorString(XML_GetErrorCode(r->xp)));
			break;
		}
		if (r->rc) {
			rc = r->rc;
			break;
		}
		if (n == 0)
			break;
	}
	free(buf);
	XML_ParserFree(r->xp);
	r->xp = NULL;
	int crc = unzCloseCurrentFile(uf);
	if (!rc && crc != UNZ_OK)
		rc = dd_fail(r->err, DD_EINVAL, name, "%s：校验和不符，文件损坏 (%s: CRC mismatch, corrupt file)", name,
			     name);
	return rc;
}

static void rd_release(struct rd *r)
{
	strbuf_release(&r->sst_text);
	strbuf_release(&r->text);
	strbuf_release(&r->rowtext);
	free(r->sst_off);
	free(r->sst_len);
	free(r->cell_off);
	free(r->cell_len);
	free(r->fields);
}

dd_status xlsx_in_read(const void *data, size_t len, const struct xlsx_in_limits *lim, xlsx_in_row_fn on_row, void *ctx,
		       dd_error *err)
{
	dd_error local_err;
	if (!err)
		err = &local_err;
	dd_error_clear(err);
	if (!on_row)
		return dd_fail(err, DD_EINVAL, NULL, "缺少行回调 (xlsx_in: on_row missing)");
	struct rd *r = calloc(1, sizeof *r);
	if (!r)
		return dd_fail(err, DD_ENOMEM, NULL, "内存不足 (out of memory)");
	if (lim)
		r->lim = *lim;
	if (!r->lim.max_part_bytes)
		r->lim.max_part_bytes = XLSX_IN_MAX_PART;
	if (!r->lim.max_rows)
		r->lim.max_rows = XLSX_IN_MAX_ROWS;
	if (!r->lim.max_cols)
		r->lim.max_cols = XLSX_IN_MAX_COLS;
	if (r->lim.max_cols > XLSX_IN_COLS_CAP)
		r->lim.max_cols = XLSX_IN_COLS_CAP;
	if (!r->lim.max_cell_bytes)
		r->lim.max_cell_bytes = XLSX_IN_MAX_CELL;
	if (!r->lim.max_shared)
		r->lim.max_shared = XLSX_IN_MAX_SHARED;
	r->on_row = on_row;
	r->ctx = ctx;
	r->err = err;
	strbuf_init(&r->sst_text, 0);
	strbuf_init(&r->text, 0);
	strbuf_init(&r->rowtext, 0);
	r->cell_off = malloc(r->lim.max_cols * sizeof *r->cell_off);
	r->cell_len = malloc(r->lim.max_cols * sizeof *r->cell_len);
	r->fields = malloc(r->lim.max_cols * sizeof *r->fields);
	if (!r->cell_off || !r->cell_len || !r->fields) {
		rd_release(r);
		free(r);
		return dd_fail(err, DD_ENOMEM, NULL, "内存不足 (out of memory)");
	}

	dd_status rc = DD_OK;
	unzFile uf = NULL;
	if (!xlsx_in_is_zip(data, len)) {
		rc = dd_fail(err, DD_EINVAL, NULL,
			     "不是 XLSX 文件（不是 ZIP 压缩包）(not an XLSX file: not a zip archive)");
		goto done;
	}
	struct membuf mb = {.p = data, .len = len};
	zlib_filefunc64_def io = {.zopen64_file = mem_open,
				  .zread_file = mem_read,
				  .zwrite_file = mem_write,
				  .ztell64_file = mem_tell,
				  .zseek64_file = mem_seek,
				  .zclose_file = mem_close,
				  .zerror_file = mem_error,
				  .opaque = &mb};
	uf = unzOpen2_64("memory.xlsx", &io);
	if (!uf) {
		rc = dd_fail(err, DD_EINVAL, NULL,
			     "不是 XLSX 文件（ZIP 压缩包损坏）(not an XLSX file: corrupt zip archive)");
		goto done;
	}
	bool found;
	if ((rc = read_part(r, uf, "xl/workbook.xml", P_WORKBOOK, &found)))
		goto done;
	if ((rc = read_part(r, uf, "xl/_rels/workbook.xml.rels", P_RELS, &found)))
		goto done;
	const char *sheet = "xl/worksheets/sheet1.xml";
	if (r->sheet_target[0] && unzLocateFile(uf, r->sheet_target, 2) == UNZ_OK)
		sheet = r->sheet_target;
	const char *sst = r->sst_target[0] ? r->sst_target : "xl/sharedStrings.xml";
	if ((rc = read_part(r, uf, sst, P_SST, &found)))
		goto done;
	if ((rc = read_part(r, uf, sheet, P_SHEET, &found)))
		goto done;
	if (!found)
		rc = dd_fail(err, DD_EINVAL, NULL, "XLSX 文件中没有工作表 (no worksheet in the workbook)");
done:
	if (uf)
		unzClose(uf);
	rd_release(r);
	free(r);
	return rc;
}
