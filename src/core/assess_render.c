/* assess_render.c - the assessment result as ASSESS.md JSON, with the trace
 * rendered as Chinese text and citations. No I/O: appends to a strbuf. */
#include "assess.h"

#include <stdarg.h>
#include <string.h>

struct out {
	struct strbuf *sb;
	bool pretty;
	int depth;
};

static void nl(struct out *o)
{
	if (!o->pretty)
		return;
	strbuf_addc(o->sb, '\n');
	for (int i = 0; i < o->depth; i++)
		strbuf_add(o->sb, "  ", 2);
}

static void key(struct out *o, const char *k, bool first)
{
	if (!first)
		strbuf_addc(o->sb, ',');
	nl(o);
	strbuf_addc(o->sb, '"');
	strbuf_adds(o->sb, k);
	strbuf_add(o->sb, o->pretty ? "\": " : "\":", o->pretty ? 3 : 2);
}

static void money_str(struct strbuf *sb, fen_t v)
{
	char buf[MONEY_TEXT_MAX];
	size_t n = money_format(v, buf);
	strbuf_addc(sb, '"');
	strbuf_add(sb, buf, n);
	strbuf_addc(sb, '"');
}

/* money as plain text inside a trace line */
static void money_txt(struct strbuf *sb, fen_t v)
{
	char buf[MONEY_TEXT_MAX];
	strbuf_add(sb, buf, money_format(v, buf));
}

/* A small formatter for trace text written straight into the JSON output:
 * %n a member's name (JSON-escaped), %s fixed text, %d an int64_t, %m money
 * in fen (int64_t). Fixed text never needs escaping. No vfprintf: this runs
 * twenty times per household. */
static void put(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	const char *run = fmt;
	for (const char *p; (p = strchr(run, '%')) != NULL;) {
		strbuf_add(sb, run, (size_t)(p - run));
		switch (*++p) {
		case 'n': {
			const char *name = va_arg(ap, const char *);
			strbuf_add_json_escaped(sb, name, strlen(name));
			break;
		}
		case 's':
			strbuf_adds(sb, va_arg(ap, const char *));
			break;
		case 'd':
			strbuf_add_int(sb, va_arg(ap, int64_t));
			break;
		case 'm':
			money_txt(sb, va_arg(ap, int64_t));
			break;
		default:
			strbuf_addc(sb, *p);
			break;
		}
		run = *p ? p + 1 : p;
	}
	strbuf_add(sb, run, strlen(run));
	va_end(ap);
}

static const char *member_name(const struct household *h, int mi)
{
	return mi >= 0 && (size_t)mi < h->n_members ? h->members[mi].name : "";
}

/* Renders one trace entry's rule code, text and citation. */
static void trace_text(const struct household *h, const struct assess_result *r, const struct trace_entry *t,
		       struct strbuf *txt, const char **rule, const char **cite)
{
	const char *name = member_name(h, t->member);
	switch ((enum trace_rule)t->rule) {
	case TR_STANDARD:
		*rule = "standard";
		*cite = "RULES 1; 003 二(一)";
		strbuf_adds(txt, t->b == AREA_URBAN ? "城市低保标准 S = " : "农村低保标准 S = ");
		money_txt(txt, t->a);
		strbuf_adds(txt, " 元/人·月");
		break;
	case TR_TEKUN_MEMBER:
		*rule = "tekun.eligible";
		*cite = "特困人员认定办法 2021; 003 二(一)2";
		put(txt, "%n %d岁 符合特困供养条件，个人收入 ", name, (int64_t)t->item);
		money_txt(txt, t->a);
		strbuf_adds(txt, " < S，单独认定：基本生活标准 ");
		money_txt(txt, t->c);
		put(txt, " + 照料护理标准(%s) ", level_code(h->members[t->member].self_care));
		money_txt(txt, t->d);
		strbuf_adds(txt, " = ");
		money_txt(txt, t->b);
		strbuf_adds(txt, "，不计入家庭人口和收入");
		break;
	case TR_TEKUN_NOT: {
		static const char *const why[] = {"",
						  "不属于老年人、重度残疾人或未成年人",
						  "有劳动能力",
						  "个人收入不低于低保标准",
						  "个人金融资产超过限额",
						  "有履行义务能力的法定赡养抚养扶养人"};
		*rule = "tekun.check";
		*cite = "特困人员认定办法 2021";
		put(txt, "%n %d岁 不符合特困条件：%s", name, (int64_t)t->item, why[t->flags < 6 ? t->flags : 0]);
		break;
	}
	case TR_INCOME_ITEM: {
		const struct income *in = &h->members[t->member].incomes[t->item];
		*rule = t->flags & 2 ? "income.excluded" : t->flags & 4 ? "income.employment_cost" : "income.counted";
		*cite = t->flags & 2 ? "003 二(一)3" : t->flags & 4 ? "003 二(一)1" : "RULES 2";
		put(txt, "%n %s ", name, income_type_zh(in->type));
		money_txt(txt, t->a);
		if (t->flags & 1) {
			strbuf_adds(txt, "/年 ÷12 → ");
			money_txt(txt, t->b);
			strbuf_adds(txt, "/月");
		} else {
			strbuf_adds(txt, "/月");
		}
		if (t->flags & 2)
			strbuf_adds(txt, "，不计入收入 → 0.00");
		else if (t->flags & 4) {
			strbuf_adds(txt, "，扣减就业成本 → ");
			money_txt(txt, t->c);
		} else if (t->flags & 8) {
			strbuf_adds(txt, "（按最低工资推定，不扣减就业成本）→ ");
			money_txt(txt, t->c);
		} else {
			strbuf_adds(txt, " → ");
			money_txt(txt, t->c);
		}
		break;
	}
	case TR_INCOME_MEMBER:
		*rule = "income.member";
		*cite = "RULES 2";
		put(txt, "%n 月计算收入合计 ", name);
		money_txt(txt, t->a);
		break;
	case TR_DEDUCTION:
		*rule = "income.rigid_expense";
		*cite = "000 一; 001 一";
		strbuf_adds(txt, "刚性支出扣减：年度支出 ");
		money_txt(txt, t->a);
		strbuf_adds(txt, " ÷12 + 月度支出 ");
		money_txt(txt, t->b);
		strbuf_adds(txt, " → ");
		money_txt(txt, t->c);
		if (t->d >= 0)
			strbuf_adds(txt, "（已按上限封顶）");
		break;
	case TR_SIZE:
		*rule = "household.size";
		*cite = "RULES 4";
		put(txt, "共同生活家庭人口 %d 人（另有 %d 人单独认定特困）", t->a, t->b);
		break;
	case TR_PER_CAPITA:
		*rule = "income.per_capita";
		*cite = "RULES 5";
		strbuf_adds(txt, "人均收入 P = max(0, ");
		money_txt(txt, t->a);
		strbuf_adds(txt, " − ");
		money_txt(txt, t->b);
		put(txt, ") ÷ %d = ", t->c);
		money_txt(txt, t->d);
		break;
	case TR_ASSET_FINANCIAL:
		*rule = "assets.financial";
		*cite = "RULES 6";
		strbuf_adds(txt, "金融资产 ");
		money_txt(txt, t->a);
		put(txt, " %s %d人 × %d个月 × S = ", t->flags ? "≤" : ">", t->b, t->c);
		money_txt(txt, t->d);
		strbuf_adds(txt, t->flags ? "，通过" : "，未通过");
		break;
	case TR_ASSET_VEHICLES:
		*rule = "assets.vehicles";
		*cite = "RULES 6";
		put(txt, "非豁免机动车 %d 辆，上限 %d，%s", t->a, t->b, t->flags ? "通过" : "未通过");
		break;
	case TR_ASSET_HOUSES:
		*rule = "assets.houses";
		*cite = "RULES 6";
		put(txt, "自住以外房产 %d 套，上限 %d，%s", t->a, t->b, t->flags ? "通过" : "未通过");
		break;
	case TR_DET_EMPTY:
		*rule = "determination.none";
		*cite = "ASSESS 6";
		strbuf_adds(txt, "全部成员单独认定特困，家庭不再认定低保 → none");
		break;
	case TR_DET_SUSPENDED:
		*rule = "determination.exit_suspended";
		*cite = "004 一(一)";
		strbuf_adds(txt, "暂停低保退出期间，原低保家庭继续保障：max(D ");
		money_txt(txt, t->a);
		strbuf_adds(txt, ", 原保障金 ");
		money_txt(txt, t->b);
		strbuf_adds(txt, ") = ");
		money_txt(txt, t->c);
		strbuf_adds(txt, " → dibao");
		break;
	case TR_DET_DIBAO:
		*rule = "determination.dibao";
		*cite = "RULES 7";
		strbuf_adds(txt, "P ");
		money_txt(txt, t->a);
		strbuf_adds(txt, " < S ");
		money_txt(txt, t->b);
		strbuf_adds(txt, " 且资产核查通过 → dibao");
		break;
	case TR_DET_GRADUAL: {
		char m[MONTH_TEXT_MAX];
		month_format((dd_month)t->c, m);
		*rule = "determination.gradual_exit";
		*cite = "000 一; 003 二(一)1; 002 一";
		strbuf_adds(txt, "就业后 S ");
		money_txt(txt, t->b);
		strbuf_adds(txt, " ≤ P ");
		money_txt(txt, t->a);
		put(txt, " ≤ 渐退上限，渐退期至 %s，保障金维持 ", m);
		money_txt(txt, t->d);
		strbuf_adds(txt, " → dibao_gradual_exit");
		break;
	}
	case TR_DET_MARGINAL:
		*rule = "determination.marginal";
		*cite = "RULES 7; 003 二(二)";
		strbuf_adds(txt, "P ");
		money_txt(txt, t->a);
		strbuf_adds(txt, " ≤ 低保边缘上限 ");
		money_txt(txt, t->b);
		strbuf_adds(txt, " 且资产核查通过 → marginal");
		break;
	case TR_DET_NONE:
		*rule = "determination.none";
		*cite = "RULES 7";
		strbuf_adds(txt, "P ");
		money_txt(txt, t->a);
		strbuf_adds(txt, "，S ");
		money_txt(txt, t->b);
		strbuf_adds(txt, t->c ? "，收入超过低保边缘上限 → none" : "，资产核查未通过或收入超过标准 → none");
		break;
	case TR_BENEFIT_BASE:
		*rule = "benefit.base";
		*cite = "RULES 8";
		strbuf_adds(txt, "补差 (S ");
		money_txt(txt, t->a);
		strbuf_adds(txt, " − P ");
		money_txt(txt, t->b);
		put(txt, ") × %d = ", t->c);
		money_txt(txt, t->d);
		break;
	case TR_ADDON:
		*rule = "benefit.addon";
		*cite = "RULES 8 分类施保";
		put(txt, "%n 分类施保：%s ", name, t->c == 1 ? "重残重病高龄" : "学龄前或在校学生");
		money_txt(txt, t->a);
		strbuf_adds(txt, " + 残疾 ");
		money_txt(txt, t->b);
		break;
	case TR_BENEFIT_ROUND:
		*rule = "benefit.rounding";
		*cite = "dibao.benefit_rounding";
		money_txt(txt, t->a);
		strbuf_adds(txt, " 四舍五入到元 → ");
		money_txt(txt, t->b);
		break;
	case TR_BENEFIT_MIN:
		*rule = "benefit.minimum";
		*cite = "dibao.benefit_min";
		money_txt(txt, t->a);
		strbuf_adds(txt, " 低于最低保障金，按 ");
		money_txt(txt, t->b);
		break;
	case TR_SINGLE_PERSON:
		*rule = "single_person";
		*cite = "000 一; 003 二(二)3";
		put(txt, "%n 重残或重病，单人保：S ", name);
		money_txt(txt, t->c);
		strbuf_adds(txt, " − 个人收入 ");
		money_txt(txt, t->a);
		strbuf_adds(txt, " = ");
		money_txt(txt, t->b);
		break;
	default:
		*rule = "unknown";
		*cite = "";
	}
	(void)r;
}

static void persons(struct out *o, const struct household *h, const struct person_benefit *list, int n, bool tekun)
{
	strbuf_addc(o->sb, '[');
	o->depth++;
	for (int i = 0; i < n; i++) {
		if (i)
			strbuf_addc(o->sb, ',');
		nl(o);
		strbuf_addc(o->sb, '{');
		o->depth++;
		key(o, "id", true);
		strbuf_add_json_string(o->sb, h->members[list[i].member].id.text, IDNUM_LEN);
		key(o, "monthly_benefit", false);
		money_str(o->sb, list[i].benefit);
		if (tekun) {
			key(o, "care", false);
			strbuf_addc(o->sb, '"');
			strbuf_adds(o->sb, level_code(h->members[list[i].member].self_care));
			strbuf_addc(o->sb, '"');
		}
		o->depth--;
		nl(o);
		strbuf_addc(o->sb, '}');
	}
	o->depth--;
	if (n)
		nl(o);
	strbuf_addc(o->sb, ']');
}

void assess_render(const struct household *h, const struct assess_result *r, bool pretty, struct strbuf *sb)
{
	struct out o = {.sb = sb, .pretty = pretty};
	strbuf_addc(sb, '{');
	o.depth = 1;
	key(&o, "determination", true);
	strbuf_addc(sb, '"');
	strbuf_adds(sb, determination_code(r->determination));
	strbuf_addc(sb, '"');
	key(&o, "standard", false);
	money_str(sb, r->standard);
	key(&o, "household_size", false);
	strbuf_add_int(sb, r->household_size);
	key(&o, "counted_income", false);
	money_str(sb, r->counted_income);
	key(&o, "deduction", false);
	money_str(sb, r->deduction);
	key(&o, "per_capita_income", false);
	money_str(sb, r->per_capita_income);
	key(&o, "asset_test", false);
	strbuf_adds(sb, r->asset_test ? "true" : "false");
	key(&o, "monthly_benefit", false);
	money_str(sb, r->monthly_benefit);
	key(&o, "gradual_exit_until", false);
	if (r->has_gradual_exit_until) {
		char m[MONTH_TEXT_MAX];
		month_format(r->gradual_exit_until, m);
		strbuf_addc(sb, '"');
		strbuf_adds(sb, m);
		strbuf_addc(sb, '"');
	} else {
		strbuf_adds(sb, "null");
	}
	key(&o, "single_person", false);
	persons(&o, h, r->single_person, r->n_single_person, false);
	key(&o, "tekun", false);
	persons(&o, h, r->tekun, r->n_tekun, true);
	key(&o, "trace", false);
	strbuf_addc(sb, '[');
	o.depth++;
	for (int i = 0; i < r->n_trace; i++) {
		const char *rule = "", *cite = "";
		if (i)
			strbuf_addc(sb, ',');
		nl(&o);
		/* the rule code is written after the text, whose case picks it */
		strbuf_add(sb, "{\"text\":\"", 9);
		trace_text(h, r, &r->trace[i], sb, &rule, &cite);
		strbuf_add(sb, "\",\"rule\":\"", 10);
		strbuf_adds(sb, rule);
		strbuf_add(sb, "\",\"cite\":\"", 10);
		strbuf_adds(sb, cite);
		strbuf_add(sb, "\"}", 2);
	}
	o.depth--;
	if (r->n_trace)
		nl(&o);
	strbuf_addc(sb, ']');
	o.depth = 0;
	nl(&o);
	strbuf_addc(sb, '}');
}
