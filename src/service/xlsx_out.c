/* xlsx_out.c - XLSX through libxlsxwriter (xlsx_out.h). */
#include "xlsx_out.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

struct xlsx_out {
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *money, *bold;
	char path[256];
	char tmpdir[200];
	struct strbuf prefixed;
};

static const char *tmp_dir(void)
{
	const char *t = getenv("TMPDIR");
	return t && t[0] && strlen(t) < 180 ? t : "/tmp";
}

dd_status xlsx_out_open(struct xlsx_out **out, const char *sheet, dd_error *err)
{
	struct xlsx_out *x = calloc(1, sizeof *x);
	if (!x)
		return dd_fail(err, DD_ENOMEM, NULL, "内存不足 (out of memory)");
	snprintf(x->tmpdir, sizeof x->tmpdir, "%s", tmp_dir());
	snprintf(x->path, sizeof x->path, "%s/doudi-xlsx-XXXXXX", x->tmpdir);
	int fd = mkstemp(x->path);
	if (fd < 0) {
		free(x);
		return dd_fail(err, DD_EIO, NULL, "无法创建临时文件");
	}
	close(fd);
	lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = x->tmpdir};
	x->wb = workbook_new_opt(x->path, &opt);
	if (!x->wb) {
		unlink(x->path);
		free(x);
		return dd_fail(err, DD_EIO, NULL, "无法创建 XLSX 文件");
	}
	x->money = workbook_add_format(x->wb);
	format_set_num_format(x->money, "0.00");
	x->bold = workbook_add_format(x->wb);
	format_set_bold(x->bold);
	strbuf_init(&x->prefixed, 64);
	*out = x;
	dd_status rc = xlsx_out_sheet(x, sheet, err);
	if (rc) {
		xlsx_out_abort(x);
		*out = NULL;
	}
	return rc;
}

dd_status xlsx_out_sheet(struct xlsx_out *x, const char *sheet, dd_error *err)
{
	x->ws = workbook_add_worksheet(x->wb, sheet);
	return x->ws ? DD_OK : dd_fail(err, DD_EIO, NULL, "无法创建工作表");
}

static void text(struct xlsx_out *x, uint32_t row, uint16_t col, const char *s, lxw_format *f)
{
	if (!s)
		s = "";
	if (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		strbuf_reset(&x->prefixed);
		strbuf_addc(&x->prefixed, '\'');
		strbuf_adds(&x->prefixed, s);
		if (!x->prefixed.failed)
			s = x->prefixed.buf;
	}
	worksheet_write_string(x->ws, row, col, s, f);
}

void xlsx_out_text(struct xlsx_out *x, uint32_t row, uint16_t col, const char *s)
{
	text(x, row, col, s, NULL);
}

void xlsx_out_bold(struct xlsx_out *x, uint32_t row, uint16_t col, const char *s)
{
	text(x, row, col, s, x->bold);
}

/* An XLSX number is a double: fen / 100 is exact to the fen below 2^53
 * fen, which no ledger reaches; the 0.00 format shows two decimals. */
void xlsx_out_money(struct xlsx_out *x, uint32_t row, uint16_t col, fen_t v)
{
	worksheet_write_number(x->ws, row, col, (double)v / 100.0, x->money);
}

void xlsx_out_int(struct xlsx_out *x, uint32_t row, uint16_t col, int64_t v)
{
	worksheet_write_number(x->ws, row, col, (double)v, NULL);
}

void xlsx_out_width(struct xlsx_out *x, uint16_t first, uint16_t last, double width)
{
	worksheet_set_column(x->ws, first, last, width, NULL);
}

void xlsx_out_abort(struct xlsx_out *x)
{
	if (!x)
		return;
	if (x->wb)
		workbook_close(x->wb);
	unlink(x->path);
	strbuf_release(&x->prefixed);
	free(x);
}

dd_status xlsx_out_finish(struct xlsx_out *x, struct strbuf *body, dd_error *err)
{
	lxw_error le = workbook_close(x->wb);
	x->wb = NULL;
	dd_status rc = DD_OK;
	if (le != LXW_NO_ERROR) {
		rc = dd_fail(err, DD_EIO, NULL, "写 XLSX 文件失败：%s", lxw_strerror(le));
		goto done;
	}
	FILE *f = fopen(x->path, "rb");
	if (!f) {
		rc = dd_fail(err, DD_EIO, NULL, "无法读回 XLSX 文件");
		goto done;
	}
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		strbuf_add(body, buf, n);
	if (ferror(f))
		rc = dd_fail(err, DD_EIO, NULL, "无法读回 XLSX 文件");
	fclose(f);
	if (!rc && body->failed)
		rc = dd_fail(err, DD_ENOMEM, NULL, "内存不足 (out of memory)");
done:
	xlsx_out_abort(x);
	return rc;
}
