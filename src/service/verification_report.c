/* verification_report.c - finding items and the report's renderings
 * (verification_report.h). */
#include "verification_report.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/json.h"
#include "xlsx_out.h"

static const struct verification_item items[] = {
    {"wage", "工资性收入", VITEM_INCOME},
    {"business", "经营净收入", VITEM_INCOME},
    {"property", "财产净收入", VITEM_INCOME},
    {"transfer", "转移净收入", VITEM_INCOME},
    {"basic_pension", "基本养老金", VITEM_INCOME},
    {"reward", "奖励性收入", VITEM_INCOME},
    {"special_care", "优抚金", VITEM_INCOME},
    {"family_planning", "计划生育奖励扶助金", VITEM_INCOME},
    {"financial", "金融资产（存款等）", VITEM_ASSET_AMOUNT},
    {"vehicle", "机动车辆", VITEM_ASSET_COUNT},
    {"house", "房产", VITEM_ASSET_COUNT},
    {"enterprise", "工商登记", VITEM_FACT},
    {"hukou", "户籍信息", VITEM_FACT},
    {"none", "无记录", VITEM_NONE},
};
#define NITEMS (sizeof items / sizeof items[0])

const struct verification_item *verification_item_find(const char *s)
{
	for (size_t i = 0; s && i < NITEMS; i++)
		if (strcmp(s, items[i].code) == 0 || strcmp(s, items[i].zh) == 0)
			return &items[i];
	/* the short forms departments write */
	static const struct {
		const char *alias, *code;
	} aliases[] = {{"存款", "financial"},	 {"金融资产", "financial"},   {"车辆", "vehicle"},
		       {"不动产", "house"},	 {"养老金", "basic_pension"}, {"工资", "wage"},
		       {"经营收入", "business"}, {"财产收入", "property"},    {"无", "none"}};
	for (size_t i = 0; s && i < sizeof aliases / sizeof aliases[0]; i++)
		if (strcmp(s, aliases[i].alias) == 0)
			return verification_item_find(aliases[i].code);
	return NULL;
}

const char *verification_item_zh(const char *code)
{
	const struct verification_item *it = verification_item_find(code);
	return it ? it->zh : code;
}

/* --- reading the report JSON -------------------------------------------------- */

static const char *text(const struct json_value *o, const char *key)
{
	const struct json_value *v = o ? json_get(o, key) : NULL;
	if (!v)
		return "";
	if (v->type == JSON_STRING || v->type == JSON_NUMBER)
		return v->str;
	if (v->type == JSON_TRUE)
		return "true";
	if (v->type == JSON_FALSE)
		return "false";
	return "";
}

static bool flag(const struct json_value *o, const char *key)
{
	const struct json_value *v = o ? json_get(o, key) : NULL;
	return v && v->type == JSON_TRUE;
}

static const struct json_value *array(const struct json_value *o, const char *key)
{
	const struct json_value *v = o ? json_get(o, key) : NULL;
	return v && v->type == JSON_ARRAY ? v : NULL;
}

static dd_status parse(const char *json, size_t n, struct arena *a, const struct json_value **doc, dd_error *err)
{
	struct json_limits lim = {.max_depth = JSON_DEFAULT_DEPTH};
	struct json_value *v = NULL;
	dd_status rc = json_parse(json, n, a, &lim, &v, err);
	if (!rc && (v->type != JSON_OBJECT || !array(v, "members") || !array(v, "assets") || !array(v, "sources")))
		rc = dd_fail(err, DD_EINVAL, "report", "核对报告格式错误");
	*doc = v;
	return rc;
}

static const char *determination_zh(const char *d)
{
	static const struct {
		const char *code, *zh;
	} names[] = {{"dibao", "最低生活保障"}, {"dibao_gradual_exit", "低保渐退"}, {"marginal", "低保边缘家庭"},
		     {"none", "不符合条件"},	{"single_person", "单人保"},	    {"tekun", "特困人员救助供养"}};
	for (size_t i = 0; d && i < sizeof names / sizeof names[0]; i++)
		if (strcmp(d, names[i].code) == 0)
			return names[i].zh;
	return d ? d : "";
}

static const char *relation_zh(const char *r)
{
	static const struct {
		const char *code, *zh;
	} names[] = {{"head", "户主"},	 {"spouse", "配偶"},	   {"child", "子女"},
		     {"parent", "父母"}, {"grandchild", "孙子女"}, {"sibling", "兄弟姐妹"}};
	for (size_t i = 0; r && i < sizeof names / sizeof names[0]; i++)
		if (strcmp(r, names[i].code) == 0)
			return names[i].zh;
	return r ? r : "";
}

/* --- HTML --------------------------------------------------------------------------- */

static void esc(struct strbuf *o, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&':
			strbuf_adds(o, "&amp;");
			break;
		case '<':
			strbuf_adds(o, "&lt;");
			break;
		case '>':
			strbuf_adds(o, "&gt;");
			break;
		case '"':
			strbuf_adds(o, "&quot;");
			break;
		case '\'':
			strbuf_adds(o, "&#39;");
			break;
		default:
			strbuf_addc(o, *s);
		}
	}
}

static void td(struct strbuf *o, const char *s, const char *cls)
{
	strbuf_adds(o, cls ? "<td class=\"" : "<td>");
	if (cls) {
		strbuf_adds(o, cls);
		strbuf_adds(o, "\">");
	}
	esc(o, s);
	strbuf_adds(o, "</td>");
}

static const char *or_dash(const char *s)
{
	return s && *s ? s : "—";
}

static void html_assessment(struct strbuf *o, const char *label, const struct json_value *a)
{
	strbuf_adds(o, "<tr><th>");
	esc(o, label);
	strbuf_adds(o, "</th>");
	if (!a || a->type != JSON_OBJECT)
		td(o, "—", NULL);
	else if (*text(a, "error"))
		td(o, text(a, "error"), NULL);
	else {
		char line[160];
		snprintf(line, sizeof line, "%s，月救助金额 %s 元", determination_zh(text(a, "determination")),
			 text(a, "monthly_benefit"));
		td(o, line, NULL);
	}
	strbuf_adds(o, "</tr>");
}

dd_status verification_report_html(const char *json, size_t n, struct strbuf *o, dd_error *err)
{
	struct arena a;
	arena_init(&a, 64 * 1024, 64u * 1024 * 1024);
	const struct json_value *r = NULL;
	dd_status rc = parse(json, n, &a, &r, err);
	if (rc) {
		arena_release(&a);
		return rc;
	}
	strbuf_adds(o, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
		       "<title>家庭经济状况核对报告</title><style>"
		       "@page{size:A4;margin:18mm 15mm}body{font-family:'Noto Sans CJK SC','Microsoft YaHei',"
		       "sans-serif;font-size:12px;color:#222}h1{font-size:20px;text-align:center}"
		       "h2{font-size:15px;margin-top:18px;border-bottom:1px solid #999}"
		       "table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border:1px solid #888;"
		       "padding:3px 6px;text-align:left}td.num{text-align:right}tr.differs td{background:#fde2e2}"
		       "td.diff{color:#b00;font-weight:bold}.note{color:#555}"
		       "@media print{tr{page-break-inside:avoid}}</style></head><body>\n");
	strbuf_adds(o, "<h1>家庭经济状况核对报告</h1>\n<table>");
	const char *head[][2] = {{"核对编号", "verification_id"}, {"申请编号", "application_id"},
				 {"家庭编号", "household_id"},	  {"所在地区", "region"},
				 {"救助项目", "programme"},	  {"报告日期", "built_on"}};
	for (size_t i = 0; i < sizeof head / sizeof head[0]; i++) {
		strbuf_adds(o, "<tr><th>");
		esc(o, head[i][0]);
		strbuf_adds(o, "</th>");
		td(o, text(r, head[i][1]), NULL);
		strbuf_adds(o, "</tr>");
	}
	char count[32];
	snprintf(count, sizeof count, "%s 项", text(r, "differences"));
	strbuf_adds(o, "<tr><th>申报与核对不一致</th>");
	td(o, count, NULL);
	strbuf_adds(o, "</tr></table>\n<h2>核对来源</h2><table><tr><th>来源</th><th>部门</th><th>请求编号</th>"
		       "<th>回复期限</th><th>状态</th></tr>");
	for (const struct json_value *s = array(r, "sources")->child; s; s = s->next) {
		bool overdue = strcmp(text(s, "state"), "overdue") == 0;
		strbuf_adds(o, "<tr>");
		td(o, text(s, "name"), NULL);
		td(o, text(s, "department"), NULL);
		td(o, text(s, "request_no"), NULL);
		td(o, text(s, "due_date"), NULL);
		td(o, overdue ? "逾期未回复（按申报数）" : "已回复", overdue ? "diff" : NULL);
		strbuf_adds(o, "</tr>");
	}
	strbuf_adds(o, "</table>\n<h2>家庭成员收入（月均，元）</h2><table><tr><th>成员</th><th>身份证号</th>"
		       "<th>关系</th><th>收入项目</th><th>申报</th><th>核对</th><th>差额</th><th>核对来源</th></tr>");
	for (const struct json_value *m = array(r, "members")->child; m; m = m->next) {
		const struct json_value *lines = array(m, "incomes");
		if (!lines || !lines->child) {
			strbuf_adds(o, "<tr>");
			td(o, text(m, "name"), NULL);
			td(o, text(m, "id_number"), NULL);
			td(o, relation_zh(text(m, "relation")), NULL);
			strbuf_adds(o, "<td colspan=\"5\" class=\"note\">无申报收入，各来源未报告收入</td></tr>");
			continue;
		}
		for (const struct json_value *l = lines->child; l; l = l->next) {
			bool differs = flag(l, "differs");
			strbuf_adds(o, differs ? "<tr class=\"differs\">" : "<tr>");
			td(o, text(m, "name"), NULL);
			td(o, text(m, "id_number"), NULL);
			td(o, relation_zh(text(m, "relation")), NULL);
			td(o, verification_item_zh(text(l, "item")), NULL);
			td(o, text(l, "declared"), "num");
			td(o, or_dash(text(l, "verified")), "num");
			td(o, or_dash(text(l, "difference")), differs ? "num diff" : "num");
			char by[160] = "";
			for (const struct json_value *b = array(l, "by") ? array(l, "by")->child : NULL; b;
			     b = b->next) {
				size_t used = strlen(by);
				snprintf(by + used, sizeof by - used, "%s%s", used ? "、" : "", b->str ? b->str : "");
			}
			td(o, or_dash(by), NULL);
			strbuf_adds(o, "</tr>");
		}
	}
	strbuf_adds(o, "</table>\n<h2>家庭财产</h2><table><tr><th>项目</th><th>申报（不含豁免）</th><th>豁免</th>"
		       "<th>核对（不含豁免）</th><th>差额</th></tr>");
	for (const struct json_value *l = array(r, "assets")->child; l; l = l->next) {
		bool differs = flag(l, "differs");
		strbuf_adds(o, differs ? "<tr class=\"differs\">" : "<tr>");
		td(o, verification_item_zh(text(l, "item")), NULL);
		td(o, text(l, "declared"), "num");
		td(o, text(l, "exempt"), "num");
		td(o, or_dash(text(l, "verified")), "num");
		td(o, or_dash(text(l, "difference")), differs ? "num diff" : "num");
		strbuf_adds(o, "</tr>");
	}
	strbuf_adds(o, "</table>\n");
	const struct json_value *facts = array(r, "facts");
	if (facts && facts->child) {
		strbuf_adds(o, "<h2>其他核对信息</h2><table><tr><th>成员</th><th>项目</th><th>数量</th><th>金额</th>"
			       "<th>说明</th></tr>");
		for (const struct json_value *f = facts->child; f; f = f->next) {
			strbuf_adds(o, "<tr>");
			td(o, text(f, "name"), NULL);
			td(o, verification_item_zh(text(f, "item")), NULL);
			td(o, text(f, "quantity"), "num");
			td(o, text(f, "amount"), "num");
			td(o, text(f, "note"), NULL);
			strbuf_adds(o, "</tr>");
		}
		strbuf_adds(o, "</table>\n");
	}
	strbuf_adds(o, "<h2>核算结果</h2><table>");
	html_assessment(o, "按申报数据核算", json_get(r, "assessment_before"));
	html_assessment(o, "采用核对结果后核算", json_get(r, "assessment_after"));
	strbuf_adds(o, "</table>\n<p class=\"note\">说明：收入按月均计算（年收入除以 12，四舍五入到分）；"
		       "某项有核对来源报告的，以报告数为准（同一来源多条合计，多个来源取最高）；没有来源报告的，"
		       "按申报数。逾期未回复的来源按申报数处理。身份证号已脱敏。</p>\n"
		       "<p>经办人：____________　　审核人：____________　　日期：____________</p>\n</body></html>\n");
	arena_release(&a);
	if (o->failed)
		return dd_fail(err, DD_ENOMEM, "report", "内存不足 (out of memory)");
	return DD_OK;
}

/* --- XLSX ---------------------------------------------------------------------------- */

dd_status verification_report_xlsx(const char *json, size_t n, struct strbuf *out, dd_error *err)
{
	struct arena a;
	arena_init(&a, 64 * 1024, 64u * 1024 * 1024);
	const struct json_value *r = NULL;
	struct xlsx_out *x = NULL;
	dd_status rc = parse(json, n, &a, &r, err);
	if (!rc)
		rc = xlsx_out_open(&x, "核对报告", err);
	if (rc) {
		arena_release(&a);
		return rc;
	}
	uint32_t row = 0;
	xlsx_out_bold(x, row++, 0, "家庭经济状况核对报告");
	const char *head[][2] = {{"核对编号", "verification_id"}, {"申请编号", "application_id"},
				 {"家庭编号", "household_id"},	  {"所在地区", "region"},
				 {"报告日期", "built_on"},	  {"申报与核对不一致（项）", "differences"}};
	for (size_t i = 0; i < sizeof head / sizeof head[0]; i++, row++) {
		xlsx_out_text(x, row, 0, head[i][0]);
		xlsx_out_text(x, row, 1, text(r, head[i][1]));
	}
	row++;
	xlsx_out_bold(x, row++, 0, "核对来源");
	const char *sh[] = {"来源", "部门", "请求编号", "回复期限", "状态"};
	for (uint16_t c = 0; c < 5; c++)
		xlsx_out_bold(x, row, c, sh[c]);
	row++;
	for (const struct json_value *s = array(r, "sources")->child; s; s = s->next, row++) {
		xlsx_out_text(x, row, 0, text(s, "name"));
		xlsx_out_text(x, row, 1, text(s, "department"));
		xlsx_out_text(x, row, 2, text(s, "request_no"));
		xlsx_out_text(x, row, 3, text(s, "due_date"));
		xlsx_out_text(x, row, 4, strcmp(text(s, "state"), "overdue") == 0 ? "逾期未回复" : "已回复");
	}
	row++;
	xlsx_out_bold(x, row++, 0, "家庭成员收入（月均，元）");
	const char *ih[] = {"成员", "身份证号", "收入项目", "申报", "核对", "差额", "不一致"};
	for (uint16_t c = 0; c < 7; c++)
		xlsx_out_bold(x, row, c, ih[c]);
	row++;
	for (const struct json_value *m = array(r, "members")->child; m; m = m->next) {
		const struct json_value *lines = array(m, "incomes");
		for (const struct json_value *l = lines ? lines->child : NULL; l; l = l->next, row++) {
			xlsx_out_text(x, row, 0, text(m, "name"));
			xlsx_out_text(x, row, 1, text(m, "id_number"));
			xlsx_out_text(x, row, 2, verification_item_zh(text(l, "item")));
			xlsx_out_text(x, row, 3, text(l, "declared"));
			xlsx_out_text(x, row, 4, or_dash(text(l, "verified")));
			xlsx_out_text(x, row, 5, or_dash(text(l, "difference")));
			xlsx_out_text(x, row, 6, flag(l, "differs") ? "是" : "");
		}
	}
	row++;
	xlsx_out_bold(x, row++, 0, "家庭财产");
	const char *ah[] = {"项目", "申报（不含豁免）", "豁免", "核对（不含豁免）", "差额", "不一致"};
	for (uint16_t c = 0; c < 6; c++)
		xlsx_out_bold(x, row, c, ah[c]);
	row++;
	for (const struct json_value *l = array(r, "assets")->child; l; l = l->next, row++) {
		xlsx_out_text(x, row, 0, verification_item_zh(text(l, "item")));
		xlsx_out_text(x, row, 1, text(l, "declared"));
		xlsx_out_text(x, row, 2, text(l, "exempt"));
		xlsx_out_text(x, row, 3, or_dash(text(l, "verified")));
		xlsx_out_text(x, row, 4, or_dash(text(l, "difference")));
		xlsx_out_text(x, row, 5, flag(l, "differs") ? "是" : "");
	}
	row++;
	const struct json_value *before = json_get(r, "assessment_before"), *after = json_get(r, "assessment_after");
	xlsx_out_bold(x, row++, 0, "核算结果");
	xlsx_out_text(x, row, 0, "按申报数据核算");
	xlsx_out_text(x, row, 1, determination_zh(text(before, "determination")));
	xlsx_out_text(x, row++, 2, text(before, "monthly_benefit"));
	xlsx_out_text(x, row, 0, "采用核对结果后核算");
	xlsx_out_text(x, row, 1,
		      after && after->type == JSON_OBJECT ? determination_zh(text(after, "determination")) : "—");
	xlsx_out_text(x, row++, 2, after && after->type == JSON_OBJECT ? text(after, "monthly_benefit") : "");
	xlsx_out_width(x, 0, 6, 18);
	rc = xlsx_out_finish(x, out, err);
	arena_release(&a);
	return rc;
}
