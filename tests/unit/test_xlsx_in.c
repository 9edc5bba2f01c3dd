/* test_xlsx_in.c - reading XLSX (xlsx_in) and "a table a department sent"
 * (tabular_in): a round trip through xlsx_out, workbooks built here from
 * XML with minizip's zip API (shared strings, rich text, gaps, numbers, a
 * second sheet), every limit and malformed input refused with its message,
 * and CSV (UTF-8, BOM, GB18030) and XLSX giving the same records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <zip.h>

#include "core/encoding.h"
#include "core/strbuf.h"
#include "service/tabular_in.h"
#include "service/xlsx_in.h"
#include "service/xlsx_out.h"

/* --- building workbooks --- */

static char *find(char *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(hay + i, needle, k) == 0)
			return hay + i;
	return NULL;
}

/* Writes the parts (name, content pairs, NULL-terminated) into a zip with
 * minizip (deflated unless stored), returned in out. */
static void make_zip(const char *const *parts, bool stored, struct strbuf *out)
{
	const char *t = getenv("TMPDIR");
	char path[256];
	snprintf(path, sizeof path, "%s/test-xlsx-in-XXXXXX", t && t[0] ? t : "/tmp");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	zipFile zf = zipOpen64(path, APPEND_STATUS_CREATE);
	assert_non_null(zf);
	for (size_t i = 0; parts[i]; i += 2) {
		zip_fileinfo zi;
		memset(&zi, 0, sizeof zi);
		assert_int_equal(zipOpenNewFileInZip64(zf, parts[i], &zi, NULL, 0, NULL, 0, NULL,
						       stored ? 0 : Z_DEFLATED, stored ? 0 : Z_DEFAULT_COMPRESSION, 0),
				 ZIP_OK);
		assert_int_equal(zipWriteInFileInZip(zf, parts[i + 1], (unsigned)strlen(parts[i + 1])), ZIP_OK);
		assert_int_equal(zipCloseFileInZip(zf), ZIP_OK);
	}
	assert_int_equal(zipClose(zf, NULL), ZIP_OK);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	strbuf_init(out, 4096);
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		strbuf_add(out, buf, n);
	fclose(f);
	unlink(path);
	assert_false(out->failed);
}

#define NS_MAIN "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define NS_R "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define REL_TYPE "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"

/* A workbook whose first sheet (tab order) is "核查结果" in sheet2.xml,
 * sheet1.xml being the second tab (ignored). */
static const char workbook_xml[] = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
				   "<workbook xmlns=\"" NS_MAIN "\" xmlns:rel=\"" NS_R "\"><sheets>"
				   "<sheet name=\"核查结果\" sheetId=\"2\" rel:id=\"rId7\"/>"
				   "<sheet name=\"说明\" sheetId=\"1\" rel:id=\"rId1\"/>"
				   "</sheets></workbook>";
static const char rels_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"" REL_TYPE "worksheet\" Target=\"worksheets/sheet1.xml\"/>"
    "<Relationship Id=\"rId3\" Type=\"" REL_TYPE "sharedStrings\" Target=\"/xl/sharedStrings.xml\"/>"
    "<Relationship Id=\"rId7\" Type=\"" REL_TYPE "worksheet\" Target=\"./worksheets/../worksheets/sheet2.xml\"/>"
    "</Relationships>";
/* 0 户编号, 1 姓名, 2 rich "张三丰" (runs + a phonetic run), 3 "核查结论", 4 "有房产", 5 escapes */
static const char sst_xml[] =
    "<sst xmlns=\"" NS_MAIN "\" count=\"6\" uniqueCount=\"6\">"
    "<si><t>户编号</t></si><si><t>姓名</t></si>"
    "<si><r><rPr><b/></rPr><t>张</t></r><r><t xml:space=\"preserve\">三丰</t></r>"
    "<rPh sb=\"0\" eb=\"1\"><t>ZHANG</t></rPh></si>"
    "<si><t>核查结论</t></si><si><t>有房产 &amp; 车</t></si>"
    "<si><t>第一行_x000D_\n第二行 _x005F_x0041_ _x00e9_ _xD800_ _x12_ _xZZ00_ _x0_</t></si></sst>";
static const char sheet2_xml[] =
    "<worksheet xmlns=\"" NS_MAIN "\"><sheetData>"
    "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c>"
    "<c r=\"D1\" t=\"s\"><v>3</v></c></row>"
    /* gap at C, a number kept exact, a boolean, a formula string */
    "<row r=\"2\" spans=\"1:6\"><c r=\"A2\"><v>1234.50</v></c><c r=\"B2\" t=\"s\"><v>2</v></c>"
    "<c r=\"D2\" t=\"s\"><v>4</v></c><c r=\"E2\" t=\"b\"><v>1</v></c>"
    "<c r=\"F2\" t=\"str\"><f>A2&amp;\"x\"</f><v>1234.5x</v></c></row>"
    /* an empty row (styled cells only): skipped */
    "<row r=\"3\"><c r=\"A3\" s=\"1\"/><c r=\"B3\" t=\"s\" s=\"2\"/></row>"
    /* no r on the row nor on the cells: row 4, columns A, B, C */
    "<row><c t=\"inlineStr\"><is><r><t>李</t></r><r><t>四</t></r></is></c><c><v>0.1</v></c>"
    "<c t=\"e\"><v>#N/A</v></c><c t=\"b\"><v>0</v></c><c s=\"3\"/></row>"
    "<row r=\"9\"><c r=\"C9\" t=\"inlineStr\"><is><t>王五_x0009_</t></is></c><c r=\"D9\" t=\"s\"><v>5</v></c>"
    "<c r=\"E9\"><v>_x0041_</v></c></row>"
    "</sheetData></worksheet>";
static const char sheet1_xml[] = "<worksheet xmlns=\"" NS_MAIN "\"><sheetData>"
				 "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>说明页</t></is></c></row>"
				 "</sheetData></worksheet>";
static const char sst_expected[] = "1:户编号|姓名||核查结论\n"
				   "2:1234.50|张三丰||有房产 & 车|TRUE|1234.5x\n"
				   "4:李四|0.1|#N/A|FALSE\n"
				   "9:||王五\t|第一行\r\n第二行 _x0041_ é _xD800_ _x12_ _xZZ00_ _x0_|_x0041_\n";

/* --- reading --- */

struct got {
	struct strbuf sb;
	int stop_at; /* the callback fails at this row (0 = never) */
};

static dd_status on_row(void *ctx, uint32_t row, const struct csv_field *cells, size_t n, dd_error *err)
{
	struct got *g = ctx;
	assert_true(n >= 1);
	assert_true(cells[n - 1].n > 0);
	strbuf_addf(&g->sb, "%u:", row);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(cells[i].p[cells[i].n], '\0');
		if (i)
			strbuf_addc(&g->sb, '|');
		strbuf_add(&g->sb, cells[i].p, cells[i].n);
	}
	strbuf_addc(&g->sb, '\n');
	if (g->stop_at && (int)row >= g->stop_at)
		return dd_fail(err, DD_EINVAL, "answer", "第 %u 行：身份证号不符", row);
	return DD_OK;
}

/* Reads a zip of parts; returns the rows (caller frees) and the status. */
static char *read_parts(const char *const *parts, const struct xlsx_in_limits *lim, dd_status *rc, dd_error *err)
{
	struct strbuf z;
	make_zip(parts, false, &z);
	struct got g = {0};
	strbuf_init(&g.sb, 256);
	strbuf_adds(&g.sb, "");
	*rc = xlsx_in_read(z.buf, z.len, lim, on_row, &g, err);
	strbuf_release(&z);
	return g.sb.buf;
}

static void expect_ok(const char *const *parts, const char *rows)
{
	dd_status rc;
	dd_error err;
	char *got = read_parts(parts, NULL, &rc, &err);
	if (rc)
		fail_msg("unexpected error %d: %s", rc, err.message);
	assert_string_equal(got, rows);
	free(got);
}

/* The read fails with code and a message containing each of the fragments. */
static void expect_fail(const char *const *parts, const struct xlsx_in_limits *lim, dd_status code, const char *frag1,
			const char *frag2)
{
	dd_status rc;
	dd_error err;
	char *got = read_parts(parts, lim, &rc, &err);
	free(got);
	if (rc != code)
		fail_msg("expected %d (%s), got %d: %s", code, frag1, rc, rc ? err.message : "");
	assert_int_equal(err.code, code);
	if (!strstr(err.message, frag1))
		fail_msg("\"%s\" not in \"%s\"", frag1, err.message);
	if (frag2 && !strstr(err.message, frag2))
		fail_msg("\"%s\" not in \"%s\"", frag2, err.message);
}

static const char *sheet_only(const char *rows_xml, char *buf, size_t cap)
{
	snprintf(buf, cap, "<worksheet xmlns=\"" NS_MAIN "\"><sheetData>%s</sheetData></worksheet>", rows_xml);
	return buf;
}

/* --- tests --- */

static void round_trip_xlsx_out(void **state)
{
	(void)state;
	struct xlsx_out *x;
	dd_error err;
	assert_int_equal(xlsx_out_open(&x, "核查请求", &err), DD_OK);
	xlsx_out_bold(x, 0, 0, "户编号");
	xlsx_out_bold(x, 0, 1, "姓名");
	xlsx_out_bold(x, 0, 2, "金额");
	xlsx_out_text(x, 1, 0, "500101-0001");
	xlsx_out_text(x, 1, 1, "张三");
	xlsx_out_money(x, 1, 2, 123450);
	xlsx_out_text(x, 2, 0, "500101-0002");
	xlsx_out_money(x, 2, 2, -5); /* B3 left out: a gap */
	xlsx_out_int(x, 3, 3, 42);
	xlsx_out_text(x, 4, 1, "=1+1"); /* written with an apostrophe */
	assert_int_equal(xlsx_out_sheet(x, "其他", &err), DD_OK);
	xlsx_out_text(x, 0, 0, "ignored");
	struct strbuf body;
	strbuf_init(&body, 0);
	assert_int_equal(xlsx_out_finish(x, &body, &err), DD_OK);

	struct got g = {0};
	strbuf_init(&g.sb, 256);
	assert_int_equal(xlsx_in_read(body.buf, body.len, NULL, on_row, &g, &err), DD_OK);
	assert_string_equal(g.sb.buf, "1:户编号|姓名|金额\n"
				      "2:500101-0001|张三|1234.5\n"
				      "3:500101-0002||-0.05\n"
				      "4:|||42\n"
				      "5:|'=1+1\n");
	strbuf_release(&g.sb);
	strbuf_release(&body);
}

static void shared_strings_workbook(void **state)
{
	(void)state;
	const char *parts[] = {"[Content_Types].xml",
			       "<Types/>",
			       "xl/workbook.xml",
			       workbook_xml,
			       "xl/_rels/workbook.xml.rels",
			       rels_xml,
			       "xl/sharedStrings.xml",
			       sst_xml,
			       "xl/worksheets/sheet1.xml",
			       sheet1_xml,
			       "xl/worksheets/sheet2.xml",
			       sheet2_xml,
			       NULL};
	expect_ok(parts, sst_expected);

	/* stored (not deflated) parts read the same */
	struct strbuf z;
	make_zip(parts, true, &z);
	struct got g = {0};
	strbuf_init(&g.sb, 256);
	dd_error err;
	assert_int_equal(xlsx_in_read(z.buf, z.len, NULL, on_row, &g, &err), DD_OK);
	assert_string_equal(g.sb.buf, sst_expected);
	strbuf_release(&g.sb);
	strbuf_release(&z);
}

static void fallback_sheet1(void **state)
{
	(void)state;
	/* no workbook.xml: xl/worksheets/sheet1.xml */
	const char *only[] = {"xl/worksheets/sheet1.xml", sheet1_xml, NULL};
	expect_ok(only, "1:说明页\n");
	/* relationships naming a missing part: sheet1.xml too */
	const char *bad_rel[] = {"xl/workbook.xml",
				 workbook_xml,
				 "xl/_rels/workbook.xml.rels",
				 "<Relationships><Relationship Id=\"rId7\" Type=\"" REL_TYPE
				 "worksheet\" Target=\"worksheets/nowhere.xml\"/></Relationships>",
				 "xl/worksheets/sheet1.xml",
				 sheet1_xml,
				 NULL};
	expect_ok(bad_rel, "1:说明页\n");
}

static void malformed_inputs(void **state)
{
	(void)state;
	struct got g = {0};
	strbuf_init(&g.sb, 16);
	dd_error err;
	assert_int_equal(xlsx_in_read("户编号,姓名\n", 16, NULL, on_row, &g, &err), DD_EINVAL);
	assert_non_null(strstr(err.message, "不是 XLSX 文件"));
	assert_int_equal(xlsx_in_read("PK\x03\x04garbage", 11, NULL, on_row, &g, &err), DD_EINVAL);
	assert_non_null(strstr(err.message, "ZIP 压缩包损坏"));
	assert_int_equal(xlsx_in_read(NULL, 0, NULL, on_row, &g, &err), DD_EINVAL);
	assert_int_equal(g.sb.len, 0);
	strbuf_release(&g.sb);

	const char *no_sheet[] = {"xl/workbook.xml", workbook_xml, "docProps/app.xml", "<Properties/>", NULL};
	expect_fail(no_sheet, NULL, DD_EINVAL, "没有工作表", "no worksheet");

	const char *bad_xml[] = {"xl/worksheets/sheet1.xml", "<worksheet><sheetData><row r=\"1\"></sheetData>", NULL};
	expect_fail(bad_xml, NULL, DD_EINVAL, "xl/worksheets/sheet1.xml：XML 格式错误", "mismatched tag");
	const char *bad_sst_xml[] = {"xl/sharedStrings.xml", "<sst><si><t>a</si></sst>", "xl/worksheets/sheet1.xml",
				     sheet1_xml, NULL};
	expect_fail(bad_sst_xml, NULL, DD_EINVAL, "xl/sharedStrings.xml：XML 格式错误", NULL);
	const char *doctype[] = {"xl/worksheets/sheet1.xml",
				 "<!DOCTYPE w [<!ENTITY a \"aaaa\">]><worksheet><sheetData/></worksheet>", NULL};
	expect_fail(doctype, NULL, DD_EINVAL, "不允许 DOCTYPE", NULL);

	char buf[1024];
	const char *s[] = {"xl/sharedStrings.xml", sst_xml, "xl/worksheets/sheet1.xml", NULL, NULL};
	s[3] = sheet_only("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>"
			  "<row r=\"3\"><c r=\"A3\" t=\"s\"><v>0</v></c><c r=\"B3\" t=\"s\"><v>6</v></c></row>",
			  buf, sizeof buf);
	expect_fail(s, NULL, DD_EINVAL, "xl/worksheets/sheet1.xml 第 3 行 B 列：共享字符串序号 6 超出范围（共 6 条）",
		    "shared string index 6 out of range");
	const char *no_sst[] = {"xl/worksheets/sheet1.xml",
				sheet_only("<row r=\"2\"><c r=\"C2\" t=\"s\"><v>0</v></c></row>", buf, sizeof buf),
				NULL};
	expect_fail(no_sst, NULL, DD_EINVAL, "第 2 行 C 列：共享字符串序号 0 超出范围（共 0 条）", NULL);
	s[3] = sheet_only("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>-1</v></c></row>", buf, sizeof buf);
	expect_fail(s, NULL, DD_EINVAL, "第 1 行 A 列：共享字符串序号“-1”无效", NULL);
	s[3] = sheet_only("<row r=\"1\"><c r=\"A1\" t=\"b\"><v>2</v></c></row>", buf, sizeof buf);
	expect_fail(s, NULL, DD_EINVAL, "第 1 行 A 列：逻辑值“2”无效", NULL);
	s[3] = sheet_only("<row r=\"1\"><c r=\"A1\" t=\"x\"><v>2</v></c></row>", buf, sizeof buf);
	expect_fail(s, NULL, DD_EINVAL, "第 1 行 A 列：单元格类型“x”无法识别", NULL);
	s[3] = sheet_only("<row r=\"1\"><c r=\"1A\"><v>2</v></c></row>", buf, sizeof buf);
	expect_fail(s, NULL, DD_EINVAL, "第 1 行：单元格引用“1A”无效", NULL);
	s[3] = sheet_only("<row r=\"4\"><c r=\"B5\"><v>2</v></c></row>", buf, sizeof buf);
	expect_fail(s, NULL, DD_EINVAL, "第 4 行 B 列：单元格引用“B5”不在本行", NULL);
	s[3] = sheet_only("<row r=\"4\"><c r=\"C4\"><v>2</v></c><c r=\"B4\"><v>2</v></c></row>", buf, sizeof buf);
	expect_fail(s, NULL, DD_EINVAL, "第 4 行 B 列：单元格重复或列顺序颠倒", NULL);
	s[3] = sheet_only("<row r=\"4\"><c r=\"C4\"><v>2</v></c></row><row r=\"2\"/>", buf, sizeof buf);
	expect_fail(s, NULL, DD_EINVAL, "第 2 行出现在第 4 行之后", "rows out of order");
	s[3] = sheet_only("<row r=\"x\"/>", buf, sizeof buf);
	expect_fail(s, NULL, DD_EINVAL, "行号“x”无效", NULL);

	/* a part whose data does not match its CRC */
	struct strbuf z;
	const char *one[] = {"xl/worksheets/sheet1.xml", sheet1_xml, NULL};
	make_zip(one, true, &z);
	char *hit = find(z.buf, z.len, "说明页");
	assert_non_null(hit);
	hit[0] = 'X';
	g.sb = (struct strbuf){0};
	strbuf_init(&g.sb, 16);
	assert_int_equal(xlsx_in_read(z.buf, z.len, NULL, on_row, &g, &err), DD_EINVAL);
	assert_non_null(strstr(err.message, "xl/worksheets/sheet1.xml"));
	strbuf_release(&g.sb);
	strbuf_release(&z);
}

static void limits(void **state)
{
	(void)state;
	char buf[4096];
	const char *s[] = {"xl/sharedStrings.xml", sst_xml, "xl/worksheets/sheet1.xml", NULL, NULL};

	/* defaults: column 512 (SR) is fine, 513 (SS) is not; row 1048576 fine */
	s[3] = sheet_only("<row r=\"1048576\"><c r=\"SR1048576\"><v>1</v></c></row>", buf, sizeof buf);
	dd_status rc;
	dd_error err;
	char *got = read_parts(s, NULL, &rc, &err);
	assert_int_equal(rc, DD_OK);
	free(got);
	s[3] = sheet_only("<row r=\"7\"><c r=\"SS7\"><v>1</v></c></row>", buf, sizeof buf);
	expect_fail(s, NULL, DD_ELIMIT, "第 7 行 SS 列：超过 512 列的上限", "beyond the limit of 512 columns");
	s[3] = sheet_only("<row r=\"1048577\"><c><v>1</v></c></row>", buf, sizeof buf);
	expect_fail(s, NULL, DD_ELIMIT, "第 1048577 行超过 1048576 行的上限", NULL);
	s[3] = sheet_only("<row r=\"99999999999999999999\"/>", buf, sizeof buf);
	expect_fail(s, NULL, DD_ELIMIT, "行的上限", NULL);
	s[3] = sheet_only("<row r=\"1\"><c r=\"ZZZZ1\"><v>1</v></c></row>", buf, sizeof buf);
	expect_fail(s, NULL, DD_EINVAL, "单元格引用“ZZZZ1”无效", NULL);

	/* small limits */
	struct xlsx_in_limits lim = {.max_cols = 3, .max_rows = 5, .max_cell_bytes = 6, .max_shared = 4};
	s[1] = "<sst><si><t>a</t></si></sst>";
	s[3] = sheet_only("<row r=\"2\"><c r=\"D2\"><v>1</v></c></row>", buf, sizeof buf);
	expect_fail(s, &lim, DD_ELIMIT, "第 2 行 D 列：超过 3 列的上限", NULL);
	s[3] = sheet_only("<row r=\"2\"><c/><c/><c/><c/></row>", buf, sizeof buf);
	expect_fail(s, &lim, DD_ELIMIT, "第 2 行 D 列：超过 3 列的上限", NULL);
	s[3] = sheet_only("<row r=\"6\"/>", buf, sizeof buf);
	expect_fail(s, &lim, DD_ELIMIT, "第 6 行超过 5 行的上限", NULL);
	s[3] = sheet_only("<row r=\"2\"><c r=\"B2\" t=\"inlineStr\"><is><t>张三丰</t></is></c></row>", buf, sizeof buf);
	expect_fail(s, &lim, DD_ELIMIT, "第 2 行 B 列：单元格文字超过 6 字节", NULL);
	s[3] = sheet_only("<row r=\"2\"><c r=\"B2\"><v>1234567</v></c></row>", buf, sizeof buf);
	expect_fail(s, &lim, DD_ELIMIT, "第 2 行 B 列：单元格文字超过 6 字节", NULL);
	s[3] = sheet_only("<row r=\"2\"><c r=\"B2\"><v>123456</v></c></row>", buf, sizeof buf);
	got = read_parts(s, &lim, &rc, &err);
	assert_int_equal(rc, DD_OK);
	assert_string_equal(got, "2:|123456\n");
	free(got);
	s[1] = "<sst><si><t>1</t></si><si><t>1234567</t></si></sst>";
	expect_fail(s, &lim, DD_ELIMIT, "xl/sharedStrings.xml 第 2 条共享字符串超过 6 字节", NULL);
	s[1] = "<sst><si/><si/><si/><si/><si/></sst>";
	expect_fail(s, &lim, DD_ELIMIT, "xl/sharedStrings.xml：共享字符串超过 4 条", NULL);

	/* part size: declared and inflated (a 200 KB sheet of zeros compresses to little) */
	size_t big = 200000;
	char *sheet = malloc(big + 200);
	assert_non_null(sheet);
	int k = snprintf(sheet, big + 200, "<worksheet><sheetData><row r=\"1\"><c><v>1</v></c></row></sheetData>");
	memset(sheet + k, ' ', big);
	memcpy(sheet + k + big, "</worksheet>", sizeof "</worksheet>");
	const char *bigparts[] = {"xl/worksheets/sheet1.xml", sheet, NULL};
	struct xlsx_in_limits small_part = {.max_part_bytes = 100000};
	expect_fail(bigparts, &small_part, DD_ELIMIT, "xl/worksheets/sheet1.xml：解压后超过 100000 字节", NULL);
	got = read_parts(bigparts, NULL, &rc, &err);
	assert_int_equal(rc, DD_OK);
	assert_string_equal(got, "1:1\n");
	free(got);

	/* the same part whose headers lie about its size (claimed 10 bytes):
	 * inflating stops at the claim and the CRC check refuses it */
	struct strbuf z;
	make_zip(bigparts, false, &z);
	uint32_t claimed = 10;
	unsigned char *p = (unsigned char *)z.buf;
	for (size_t i = 0; i + 46 <= z.len; i++) {
		if (memcmp(p + i, "PK\x03\x04", 4) == 0)
			memcpy(p + i + 22, &claimed, 4);
		else if (memcmp(p + i, "PK\x01\x02", 4) == 0)
			memcpy(p + i + 24, &claimed, 4);
	}
	struct got g = {0};
	strbuf_init(&g.sb, 16);
	assert_int_equal(xlsx_in_read(z.buf, z.len, &small_part, on_row, &g, &err), DD_EINVAL);
	assert_non_null(strstr(err.message, "xl/worksheets/sheet1.xml"));
	strbuf_release(&g.sb);
	strbuf_release(&z);
	free(sheet);
}

static void callback_stops(void **state)
{
	(void)state;
	const char *parts[] = {"xl/workbook.xml",
			       workbook_xml,
			       "xl/_rels/workbook.xml.rels",
			       rels_xml,
			       "xl/sharedStrings.xml",
			       sst_xml,
			       "xl/worksheets/sheet2.xml",
			       sheet2_xml,
			       NULL};
	struct strbuf z;
	make_zip(parts, false, &z);
	struct got g = {.stop_at = 2};
	strbuf_init(&g.sb, 64);
	dd_error err;
	assert_int_equal(xlsx_in_read(z.buf, z.len, NULL, on_row, &g, &err), DD_EINVAL);
	assert_string_equal(err.message, "第 2 行：身份证号不符");
	assert_string_equal(err.field, "answer");
	assert_string_equal(g.sb.buf, "1:户编号|姓名||核查结论\n2:1234.50|张三丰||有房产 & 车|TRUE|1234.5x\n");
	strbuf_release(&g.sb);
	strbuf_release(&z);
}

/* --- tabular_in --- */

static dd_status on_record(void *ctx, uint64_t record, const struct csv_field *cells, size_t n, dd_error *err)
{
	(void)err;
	struct strbuf *sb = ctx;
	strbuf_addf(sb, "%llu:", (unsigned long long)record);
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addc(sb, '|');
		strbuf_add(sb, cells[i].p, cells[i].n);
	}
	strbuf_addc(sb, '\n');
	return DD_OK;
}

static char *tabular(const char *data, size_t len, struct tabular_info *info, dd_status *rc, dd_error *err)
{
	struct strbuf sb;
	strbuf_init(&sb, 256);
	strbuf_adds(&sb, "");
	*rc = tabular_read(data, len, on_record, &sb, info, err);
	return sb.buf;
}

static void tabular_same_rows(void **state)
{
	(void)state;
	const char *csv = "户编号,姓名,核查结论,金额\r\n"
			  "500101-0001,张三,\"有房产, 车\",1234.5\r\n"
			  ",,,\r\n"
			  "500101-0002,,无,\r\n";
	const char *want = "1:户编号|姓名|核查结论|金额\n"
			   "2:500101-0001|张三|有房产, 车|1234.5\n"
			   "4:500101-0002||无\n";
	struct tabular_info info;
	dd_status rc;
	dd_error err;

	char *got = tabular(csv, strlen(csv), &info, &rc, &err);
	assert_int_equal(rc, DD_OK);
	assert_string_equal(got, want);
	assert_int_equal(info.format, TABULAR_CSV);
	assert_int_equal(info.encoding, TEXT_UTF8);
	assert_int_equal(info.records, 3);
	free(got);

	struct strbuf bom;
	strbuf_init(&bom, 0);
	strbuf_adds(&bom, UTF8_BOM);
	strbuf_adds(&bom, csv);
	got = tabular(bom.buf, bom.len, &info, &rc, &err);
	assert_int_equal(rc, DD_OK);
	assert_string_equal(got, want);
	free(got);
	strbuf_release(&bom);

	struct strbuf gb;
	strbuf_init(&gb, 0);
	struct text_encoder enc;
	assert_int_equal(text_encoder_init(&enc, TEXT_GB18030, false, text_sink_strbuf, &gb, &err), DD_OK);
	assert_int_equal(text_encoder_feed(&enc, csv, strlen(csv), &err), DD_OK);
	assert_int_equal(text_encoder_finish(&enc, &err), DD_OK);
	text_encoder_release(&enc);
	assert_null(find(gb.buf, gb.len, "张三"));
	got = tabular(gb.buf, gb.len, &info, &rc, &err);
	assert_int_equal(rc, DD_OK);
	assert_string_equal(got, want);
	assert_int_equal(info.encoding, TEXT_GB18030);
	free(got);
	strbuf_release(&gb);

	struct xlsx_out *x;
	assert_int_equal(xlsx_out_open(&x, "核查结果", &err), DD_OK);
	const char *cells[4][4] = {{"户编号", "姓名", "核查结论", "金额"},
				   {"500101-0001", "张三", "有房产, 车", NULL},
				   {"", "", "", ""},
				   {"500101-0002", "", "无", ""}};
	for (uint32_t r = 0; r < 4; r++)
		for (uint16_t c = 0; c < 4; c++)
			if (cells[r][c])
				xlsx_out_text(x, r, c, cells[r][c]);
			else
				xlsx_out_money(x, r, c, 123450);
	struct strbuf body;
	strbuf_init(&body, 0);
	assert_int_equal(xlsx_out_finish(x, &body, &err), DD_OK);
	got = tabular(body.buf, body.len, &info, &rc, &err);
	assert_int_equal(rc, DD_OK);
	assert_string_equal(got, want);
	assert_int_equal(info.format, TABULAR_XLSX);
	assert_int_equal(info.records, 3);
	free(got);
	strbuf_release(&body);
}

static void tabular_errors(void **state)
{
	(void)state;
	struct tabular_info info;
	dd_status rc;
	dd_error err;
	char *got = tabular("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest", 12, &info, &rc, &err);
	assert_int_equal(rc, DD_EINVAL);
	assert_non_null(strstr(err.message, ".xls"));
	free(got);
	got = tabular("a,b\n1,\"2\n", 9, &info, &rc, &err);
	assert_int_equal(rc, DD_EINVAL);
	assert_string_equal(got, "1:a|b\n");
	free(got);
	got = tabular("", 0, &info, &rc, &err);
	assert_int_equal(rc, DD_OK);
	assert_int_equal(info.records, 0);
	free(got);
	got = tabular("PK\x03\x04", 4, &info, &rc, &err);
	assert_int_equal(rc, DD_EINVAL);
	assert_int_equal(info.format, TABULAR_XLSX);
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(round_trip_xlsx_out),
	    cmocka_unit_test(shared_strings_workbook),
	    cmocka_unit_test(fallback_sheet1),
	    cmocka_unit_test(malformed_inputs),
	    cmocka_unit_test(limits),
	    cmocka_unit_test(callback_stops),
	    cmocka_unit_test(tabular_same_rows),
	    cmocka_unit_test(tabular_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
