/* assess_render.c - the assessment result as ASSESS.md JSON, with the trace
 * rendered as Chinese text and citations. No I/O: appends to a strbuf. */
#include "assess.h"

#include <string.h>

/* A string literal and its length, known at compile time. */
struct lit {
	const char *s;
	size_t n;
};
#define L(text) ((struct lit){text, sizeof text - 1})
#define LIT(sb, text) strbuf_add(sb, text, sizeof text - 1)

struct out {
	struct strbuf *sb;
	bool pretty;
	int depth;
};

static inline void nl(struct out *o)
{
	if (!o->pretty)
		return;
	strbuf_addc(o->sb, '\n');
	for (int i = 0; i < o->depth; i++)
		strbuf_add(o->sb, "  ", 2);
}

/* A member key: quoted is "\"name\":" of length n. */
static inline void key(struct out *o, const char *quoted, size_t n, bool first)
{
	if (!first)
		strbuf_addc(o->sb, ',');
	nl(o);
	strbuf_add(o->sb, quoted, n);
	if (o->pretty)
		strbuf_addc(o->sb, ' ');
}
#define KEY(o, name, first) key(o, "\"" name "\":", sizeof("\"" name "\":") - 1, first)

/* money as plain text inside a trace line, formatted in place */
static void money_txt(struct strbuf *sb, fen_t v)
{
	if ((sb->cap - sb->len <= MONEY_TEXT_MAX || !sb->cap) && !strbuf_grow(sb, MONEY_TEXT_MAX))
		return;
	sb->len += money_format(v, sb->buf + sb->len);
}

static void money_str(struct strbuf *sb, fen_t v)
{
	strbuf_addc(sb, '"');
	money_txt(sb, v);
	strbuf_addc(sb, '"');
}

/* a member's name inside a trace line, JSON-escaped */
static void name_txt(struct strbuf *sb, const char *name)
{
	strbuf_add_json_escaped(sb, name, strlen(name));
}

static const char *member_name(const struct household *h, int mi)
{
	return mi >= 0 && (size_t)mi < h->n_members ? h->members[mi].name : "";
}

/* Renders one trace entry's rule code, text and citation. */
static void trace_text(const struct household *h, const struct assess_result *r, const struct trace_entry *t,
		       struct strbuf *txt, struct lit *rule, struct lit *cite)
{
	const char *name = member_name(h, t->member);
	switch ((enum trace_rule)t->rule) {
	case TR_STANDARD:
		*rule = L("standard");
		*cite = L("RULES 1; 003 二(一)");
		strbuf_adds(txt, t->b == AREA_URBAN ? "城市低保标准 S = " : "农村低保标准 S = ");
		money_txt(txt, t->a);
		LIT(txt, " 元/人·月");
		break;
	case TR_TEKUN_MEMBER:
		*rule = L("tekun.eligible");
		*cite = L("特困人员认定办法 2021; 003 二(一)2");
		name_txt(txt, name);
		LIT(txt, " ");
		strbuf_add_int(txt, t->item);
		LIT(txt, "岁 符合特困供养条件，个人收入 ");
		money_txt(txt, t->a);
		LIT(txt, " < S，单独认定：基本生活标准 ");
		money_txt(txt, t->c);
		LIT(txt, " + 照料护理标准(");
		strbuf_adds(txt, level_code(h->members[t->member].self_care));
		LIT(txt, ") ");
		money_txt(txt, t->d);
		LIT(txt, " = ");
		money_txt(txt, t->b);
		LIT(txt, "，不计入家庭人口和收入");
		break;
	case TR_TEKUN_NOT: {
		static const char *const why[] = {"",
						  "不属于老年人、重度残疾人或未成年人",
						  "有劳动能力",
						  "个人收入不低于低保标准",
						  "个人金融资产超过限额",
						  "有履行义务能力的法定赡养抚养扶养人"};
		*rule = L("tekun.check");
		*cite = L("特困人员认定办法 2021");
		name_txt(txt, name);
		LIT(txt, " ");
		strbuf_add_int(txt, t->item);
		LIT(txt, "岁 不符合特困条件：");
		strbuf_adds(txt, why[t->flags < 6 ? t->flags : 0]);
		break;
	}
	case TR_INCOME_ITEM: {
		const struct income *in = &h->members[t->member].incomes[t->item];
		*rule = t->flags & 2   ? L("income.excluded")
			: t->flags & 4 ? L("income.employment_cost")
				       : L("income.counted");
		*cite = t->flags & 2 ? L("003 二(一)3") : t->flags & 4 ? L("003 二(一)1") : L("RULES 2");
		name_txt(txt, name);
		LIT(txt, " ");
		strbuf_adds(txt, income_type_zh(in->type));
		LIT(txt, " ");
		money_txt(txt, t->a);
		if (t->flags & 1) {
			LIT(txt, "/年 ÷12 → ");
			money_txt(txt, t->b);
			LIT(txt, "/月");
		} else {
			LIT(txt, "/月");
		}
		if (t->flags & 2)
			LIT(txt, "，不计入收入 → 0.00");
		else if (t->flags & 4) {
			LIT(txt, "，扣减就业成本 → ");
			money_txt(txt, t->c);
		} else if (t->flags & 8) {
			LIT(txt, "（按最低工资推定，不扣减就业成本）→ ");
			money_txt(txt, t->c);
		} else {
			LIT(txt, " → ");
			money_txt(txt, t->c);
		}
		break;
	}
	case TR_INCOME_MEMBER:
		*rule = L("income.member");
		*cite = L("RULES 2");
		name_txt(txt, name);
		LIT(txt, " 月计算收入合计 ");
		money_txt(txt, t->a);
		break;
	case TR_DEDUCTION:
		*rule = L("income.rigid_expense");
		*cite = L("000 一; 001 一");
		LIT(txt, "刚性支出扣减：年度支出 ");
		money_txt(txt, t->a);
		LIT(txt, " ÷12 + 月度支出 ");
		money_txt(txt, t->b);
		LIT(txt, " → ");
		money_txt(txt, t->c);
		if (t->d >= 0)
			LIT(txt, "（已按上限封顶）");
		break;
	case TR_SIZE:
		*rule = L("household.size");
		*cite = L("RULES 4");
		LIT(txt, "共同生活家庭人口 ");
		strbuf_add_int(txt, t->a);
		LIT(txt, " 人（另有 ");
		strbuf_add_int(txt, t->b);
		LIT(txt, " 人单独认定特困）");
		break;
	case TR_PER_CAPITA:
		*rule = L("income.per_capita");
		*cite = L("RULES 5");
		LIT(txt, "人均收入 P = max(0, ");
		money_txt(txt, t->a);
		LIT(txt, " − ");
		money_txt(txt, t->b);
		LIT(txt, ") ÷ ");
		strbuf_add_int(txt, t->c);
		LIT(txt, " = ");
		money_txt(txt, t->d);
		break;
	case TR_ASSET_FINANCIAL:
		*rule = L("assets.financial");
		*cite = L("RULES 6");
		LIT(txt, "金融资产 ");
		money_txt(txt, t->a);
		if (t->flags)
			LIT(txt, " ≤ ");
		else
			LIT(txt, " > ");
		strbuf_add_int(txt, t->b);
		LIT(txt, "人 × ");
		strbuf_add_int(txt, t->c);
		LIT(txt, "个月 × S = ");
		money_txt(txt, t->d);
		strbuf_adds(txt, t->flags ? "，通过" : "，未通过");
		break;
	case TR_ASSET_VEHICLES:
		*rule = L("assets.vehicles");
		*cite = L("RULES 6");
		LIT(txt, "非豁免机动车 ");
		strbuf_add_int(txt, t->a);
		LIT(txt, " 辆，上限 ");
		strbuf_add_int(txt, t->b);
		strbuf_adds(txt, t->flags ? "，通过" : "，未通过");
		break;
	case TR_ASSET_HOUSES:
		*rule = L("assets.houses");
		*cite = L("RULES 6");
		LIT(txt, "自住以外房产 ");
		strbuf_add_int(txt, t->a);
		LIT(txt, " 套，上限 ");
		strbuf_add_int(txt, t->b);
		strbuf_adds(txt, t->flags ? "，通过" : "，未通过");
		break;
	case TR_DET_EMPTY:
		*rule = L("determination.none");
		*cite = L("ASSESS 6");
		LIT(txt, "全部成员单独认定特困，家庭不再认定低保 → none");
		break;
	case TR_DET_SUSPENDED:
		*rule = L("determination.exit_suspended");
		*cite = L("004 一(一)");
		LIT(txt, "暂停低保退出期间，原低保家庭继续保障：max(D ");
		money_txt(txt, t->a);
		LIT(txt, ", 原保障金 ");
		money_txt(txt, t->b);
		LIT(txt, ") = ");
		money_txt(txt, t->c);
		LIT(txt, " → dibao");
		break;
	case TR_DET_DIBAO:
		*rule = L("determination.dibao");
		*cite = L("RULES 7");
		LIT(txt, "P ");
		money_txt(txt, t->a);
		LIT(txt, " < S ");
		money_txt(txt, t->b);
		LIT(txt, " 且资产核查通过 → dibao");
		break;
	case TR_DET_GRADUAL: {
		char m[MONTH_TEXT_MAX];
		month_format((dd_month)t->c, m);
		*rule = L("determination.gradual_exit");
		*cite = L("000 一; 003 二(一)1; 002 一");
		LIT(txt, "就业后 S ");
		money_txt(txt, t->b);
		LIT(txt, " ≤ P ");
		money_txt(txt, t->a);
		LIT(txt, " ≤ 渐退上限，渐退期至 ");
		strbuf_adds(txt, m);
		LIT(txt, "，保障金维持 ");
		money_txt(txt, t->d);
		LIT(txt, " → dibao_gradual_exit");
		break;
	}
	case TR_DET_MARGINAL:
		*rule = L("determination.marginal");
		*cite = L("RULES 7; 003 二(二)");
		LIT(txt, "P ");
		money_txt(txt, t->a);
		LIT(txt, " ≤ 低保边缘上限 ");
		money_txt(txt, t->b);
		LIT(txt, " 且资产核查通过 → marginal");
		break;
	case TR_DET_NONE:
		*rule = L("determination.none");
		*cite = L("RULES 7");
		LIT(txt, "P ");
		money_txt(txt, t->a);
		LIT(txt, "，S ");
		money_txt(txt, t->b);
		strbuf_adds(txt, t->c ? "，收入超过低保边缘上限 → none" : "，资产核查未通过或收入超过标准 → none");
		break;
	case TR_BENEFIT_BASE:
		*rule = L("benefit.base");
		*cite = L("RULES 8");
		LIT(txt, "补差 (S ");
		money_txt(txt, t->a);
		LIT(txt, " − P ");
		money_txt(txt, t->b);
		LIT(txt, ") × ");
		strbuf_add_int(txt, t->c);
		LIT(txt, " = ");
		money_txt(txt, t->d);
		break;
	case TR_ADDON:
		*rule = L("benefit.addon");
		*cite = L("RULES 8 分类施保");
		name_txt(txt, name);
		LIT(txt, " 分类施保：");
		strbuf_adds(txt, t->c == 1 ? "重残重病高龄 " : "学龄前或在校学生 ");
		money_txt(txt, t->a);
		LIT(txt, " + 残疾 ");
		money_txt(txt, t->b);
		break;
	case TR_BENEFIT_ROUND:
		*rule = L("benefit.rounding");
		*cite = L("dibao.benefit_rounding");
		money_txt(txt, t->a);
		LIT(txt, " 四舍五入到元 → ");
		money_txt(txt, t->b);
		break;
	case TR_BENEFIT_MIN:
		*rule = L("benefit.minimum");
		*cite = L("dibao.benefit_min");
		money_txt(txt, t->a);
		LIT(txt, " 低于最低保障金，按 ");
		money_txt(txt, t->b);
		break;
	case TR_SINGLE_PERSON:
		*rule = L("single_person");
		*cite = L("000 一; 003 二(二)3");
		name_txt(txt, name);
		LIT(txt, " 重残或重病，单人保：S ");
		money_txt(txt, t->c);
		LIT(txt, " − 个人收入 ");
		money_txt(txt, t->a);
		LIT(txt, " = ");
		money_txt(txt, t->b);
		break;
	default:
		*rule = L("unknown");
		*cite = L("");
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
		KEY(o, "id", true);
		strbuf_add_json_string(o->sb, h->members[list[i].member].id.text, IDNUM_LEN);
		KEY(o, "monthly_benefit", false);
		money_str(o->sb, list[i].benefit);
		if (tekun) {
			KEY(o, "care", false);
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
	KEY(&o, "determination", true);
	strbuf_addc(sb, '"');
	strbuf_adds(sb, determination_code(r->determination));
	strbuf_addc(sb, '"');
	KEY(&o, "standard", false);
	money_str(sb, r->standard);
	KEY(&o, "household_size", false);
	strbuf_add_int(sb, r->household_size);
	KEY(&o, "counted_income", false);
	money_str(sb, r->counted_income);
	KEY(&o, "deduction", false);
	money_str(sb, r->deduction);
	KEY(&o, "per_capita_income", false);
	money_str(sb, r->per_capita_income);
	KEY(&o, "asset_test", false);
	strbuf_adds(sb, r->asset_test ? "true" : "false");
	KEY(&o, "monthly_benefit", false);
	money_str(sb, r->monthly_benefit);
	KEY(&o, "gradual_exit_until", false);
	if (r->has_gradual_exit_until) {
		char m[MONTH_TEXT_MAX];
		month_format(r->gradual_exit_until, m);
		strbuf_addc(sb, '"');
		strbuf_adds(sb, m);
		strbuf_addc(sb, '"');
	} else {
		LIT(sb, "null");
	}
	KEY(&o, "single_person", false);
	persons(&o, h, r->single_person, r->n_single_person, false);
	KEY(&o, "tekun", false);
	persons(&o, h, r->tekun, r->n_tekun, true);
	KEY(&o, "trace", false);
	strbuf_addc(sb, '[');
	o.depth++;
	for (int i = 0; i < r->n_trace; i++) {
		struct lit rule = L(""), cite = L("");
		if (i)
			strbuf_addc(sb, ',');
		nl(&o);
		/* the rule code is written after the text, whose case picks it */
		strbuf_add(sb, "{\"text\":\"", 9);
		trace_text(h, r, &r->trace[i], sb, &rule, &cite);
		strbuf_add(sb, "\",\"rule\":\"", 10);
		strbuf_add(sb, rule.s, rule.n);
		strbuf_add(sb, "\",\"cite\":\"", 10);
		strbuf_add(sb, cite.s, cite.n);
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
