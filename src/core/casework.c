/* casework.c - the case procedure as one table. No I/O. */
#include "casework.h"

#include <stddef.h>
#include <string.h>

#define T CR_TOWNSHIP
#define V CR_VILLAGE
#define C CR_COUNTY

/* state × action × role → next state. One line per row; docs/casework.md
 * is generated from it. */
static const struct case_transition transitions[] = {
    {CS_SUBMITTED, CA_ACCEPT, T, 0, CS_ACCEPTED},
    {CS_ACCEPTED, CA_VERIFY, T | C, 0, CS_VERIFIED},
    {CS_VERIFIED, CA_INVESTIGATE, T | V, 0, CS_INVESTIGATED},
    {CS_VERIFIED, CA_WAIVE_INVESTIGATION, T, CG_WAIVER, CS_INVESTIGATED},
    {CS_INVESTIGATED, CA_REVIEW, T, 0, CS_REVIEWED},
    {CS_REVIEWED, CA_PUBLISH_NOTICE, T, 0, CS_IN_NOTICE},
    {CS_IN_NOTICE, CA_APPROVE, C, CG_NOTICE_OVER, CS_APPROVED},
    {CS_IN_NOTICE, CA_APPROVE, T, CG_DELEGATED | CG_NOTICE_OVER, CS_APPROVED},
    {CS_SUBMITTED, CA_REJECT, T | C, 0, CS_REJECTED},
    {CS_ACCEPTED, CA_REJECT, T | C, 0, CS_REJECTED},
    {CS_VERIFIED, CA_REJECT, T | C, 0, CS_REJECTED},
    {CS_INVESTIGATED, CA_REJECT, T | C, 0, CS_REJECTED},
    {CS_REVIEWED, CA_REJECT, T | C, 0, CS_REJECTED},
    {CS_IN_NOTICE, CA_REJECT, C, 0, CS_REJECTED},
    {CS_IN_NOTICE, CA_REJECT, T, CG_DELEGATED, CS_REJECTED},
    {CS_SUBMITTED, CA_WITHDRAW, V | T, 0, CS_WITHDRAWN},
    {CS_ACCEPTED, CA_WITHDRAW, V | T, 0, CS_WITHDRAWN},
    {CS_VERIFIED, CA_WITHDRAW, V | T, 0, CS_WITHDRAWN},
    {CS_INVESTIGATED, CA_WITHDRAW, V | T, 0, CS_WITHDRAWN},
    {CS_REVIEWED, CA_WITHDRAW, V | T, 0, CS_WITHDRAWN},
    {CS_IN_NOTICE, CA_WITHDRAW, V | T, 0, CS_WITHDRAWN},
};

#undef T
#undef V
#undef C

const struct case_transition *casework_transitions(size_t *n)
{
	*n = sizeof transitions / sizeof transitions[0];
	return transitions;
}

static const struct {
	const char *code, *zh;
} states[CS_COUNT] = {
    [CS_SUBMITTED] = {"submitted", "已提交申请"},	[CS_ACCEPTED] = {"accepted", "已受理，待核对家庭经济状况"},
    [CS_VERIFIED] = {"verified", "已核对，待入户调查"}, [CS_INVESTIGATED] = {"investigated", "已入户调查，待乡镇审核"},
    [CS_REVIEWED] = {"reviewed", "乡镇已审核，待公示"}, [CS_IN_NOTICE] = {"in_notice", "公示中，待审批"},
    [CS_APPROVED] = {"approved", "已审批确认"},		[CS_REJECTED] = {"rejected", "不予批准"},
    [CS_WITHDRAWN] = {"withdrawn", "申请人已撤回"},
};

static const struct {
	const char *code, *zh;
} actions[CA_COUNT] = {
    [CA_ACCEPT] = {"accept", "受理"},
    [CA_VERIFY] = {"verify", "家庭经济状况核对"},
    [CA_INVESTIGATE] = {"investigate", "入户调查"},
    [CA_WAIVE_INVESTIGATION] = {"waive_investigation", "免于入户调查（疫情期间）"},
    [CA_REVIEW] = {"review", "乡镇审核"},
    [CA_PUBLISH_NOTICE] = {"publish_notice", "公示"},
    [CA_APPROVE] = {"approve", "审批确认"},
    [CA_REJECT] = {"reject", "不予批准"},
    [CA_WITHDRAW] = {"withdraw", "撤回申请"},
};

static const struct {
	const char *code, *zh;
} refusals[] = {
    [CW_OK] = {"OK", ""},
    [CW_BAD_STATE] = {"STATE_NOT_ALLOWED", "案件当前状态下不能进行此操作"},
    [CW_BAD_ROLE] = {"ROLE_NOT_ALLOWED", "当前角色无权在此环节进行此操作"},
    [CW_WAIVER_OFF] = {"WAIVER_NOT_IN_FORCE", "当前未启用疫情期间免于入户调查的政策，必须入户调查"},
    [CW_NOT_DELEGATED] = {"APPROVAL_NOT_DELEGATED", "审批权未下放至乡镇（街道），应由区县民政局审批"},
    [CW_CLOSE_RELATIVE] = {"CLOSE_RELATIVE_COUNTY_ONLY", "该申请涉及近亲属备案，必须由区县民政局审批"},
    [CW_NOTICE_NOT_OVER] = {"NOTICE_PERIOD_NOT_OVER", "公示期尚未结束，不能审批"},
};

static const char *const role_codes[] = {"village", "township", "county"};

const char *case_state_code(enum case_state s)
{
	return (unsigned)s < CS_COUNT ? states[s].code : NULL;
}

const char *case_state_zh(enum case_state s)
{
	return (unsigned)s < CS_COUNT ? states[s].zh : NULL;
}

enum case_state case_state_parse(const char *s)
{
	for (int i = 0; s && i < CS_COUNT; i++)
		if (strcmp(s, states[i].code) == 0)
			return (enum case_state)i;
	return CS_COUNT;
}

const char *case_action_code(enum case_action a)
{
	return (unsigned)a < CA_COUNT ? actions[a].code : NULL;
}

const char *case_action_zh(enum case_action a)
{
	return (unsigned)a < CA_COUNT ? actions[a].zh : NULL;
}

enum case_action case_action_parse(const char *s)
{
	for (int i = 0; s && i < CA_COUNT; i++)
		if (strcmp(s, actions[i].code) == 0)
			return (enum case_action)i;
	return CA_COUNT;
}

unsigned case_role_bit(const char *role)
{
	for (unsigned i = 0; role && i < sizeof role_codes / sizeof role_codes[0]; i++)
		if (strcmp(role, role_codes[i]) == 0)
			return 1u << i;
	return 0;
}

bool case_state_final(enum case_state s)
{
	return s == CS_APPROVED || s == CS_REJECTED || s == CS_WITHDRAWN;
}

const char *case_refusal_code(enum case_refusal r)
{
	return (unsigned)r < sizeof refusals / sizeof refusals[0] ? refusals[r].code : "UNKNOWN";
}

const char *case_refusal_zh(enum case_refusal r)
{
	return (unsigned)r < sizeof refusals / sizeof refusals[0] ? refusals[r].zh : "";
}

/* The first guard of row that fails, CW_OK when all hold. */
static enum case_refusal guards_check(unsigned guards, const struct case_facts *f)
{
	if ((guards & CG_DELEGATED) && !f->township_approves)
		return CW_NOT_DELEGATED;
	if ((guards & CG_DELEGATED) && f->close_relative)
		return CW_CLOSE_RELATIVE;
	if ((guards & CG_WAIVER) && !f->waiver_in_force)
		return CW_WAIVER_OFF;
	if ((guards & CG_NOTICE_OVER) && !f->notice_over)
		return CW_NOTICE_NOT_OVER;
	return CW_OK;
}

enum case_refusal casework_step(enum case_state from, enum case_action action, const char *role,
				const struct case_facts *facts, enum case_state *to)
{
	unsigned bit = case_role_bit(role);
	bool state_ok = false;
	enum case_refusal first = CW_BAD_ROLE;
	for (size_t i = 0; i < sizeof transitions / sizeof transitions[0]; i++) {
		const struct case_transition *t = &transitions[i];
		if (t->from != from || t->action != action)
			continue;
		state_ok = true;
		if (!(t->roles & bit))
			continue;
		enum case_refusal r = guards_check(t->guards, facts);
		if (r == CW_OK) {
			*to = t->to;
			return CW_OK;
		}
		if (first == CW_BAD_ROLE)
			first = r;
	}
	return state_ok ? first : CW_BAD_STATE;
}

unsigned casework_allowed(enum case_state s, const char *role, const struct case_facts *facts)
{
	unsigned out = 0;
	for (int a = 0; a < CA_COUNT; a++) {
		enum case_state to;
		if (casework_step(s, (enum case_action)a, role, facts, &to) == CW_OK)
			out |= 1u << a;
	}
	return out;
}

dd_date casework_notice_until(const struct case_times *t, dd_date published)
{
	return published + t->public_notice_days;
}

/* What is pending in each state and how long it may take. */
enum due_unit { DU_NONE, DU_WORKDAYS, DU_TOTAL, DU_NOTICE };
static const struct due_rule {
	enum due_unit unit;
	size_t param; /* offset of the int in struct case_times */
	bool capped;  /* never later than the whole procedure's deadline */
	const char *param_name, *zh;
} due_rules[CS_COUNT] = {
    [CS_SUBMITTED] = {DU_WORKDAYS, offsetof(struct case_times, start_verification_workdays), false,
		      "procedure.start_verification_workdays", "受理"},
    [CS_ACCEPTED] = {DU_WORKDAYS, offsetof(struct case_times, data_check_workdays), true,
		     "procedure.data_check_workdays", "家庭经济状况核对"},
    [CS_VERIFIED] = {DU_WORKDAYS, offsetof(struct case_times, start_verification_workdays), true,
		     "procedure.start_verification_workdays", "入户调查"},
    [CS_INVESTIGATED] = {DU_TOTAL, 0, true, "procedure.total_workdays", "乡镇审核"},
    [CS_REVIEWED] = {DU_TOTAL, 0, true, "procedure.total_workdays", "公示"},
    [CS_IN_NOTICE] = {DU_NOTICE, offsetof(struct case_times, county_decision_workdays), false,
		      "procedure.public_notice_days + procedure.county_decision_workdays", "审批确认"},
    [CS_APPROVED] = {DU_NONE, 0, false, "", ""},
    [CS_REJECTED] = {DU_WORKDAYS, offsetof(struct case_times, refusal_notice_workdays), false,
		     "procedure.refusal_notice_workdays", "书面告知不予批准的理由"},
    [CS_WITHDRAWN] = {DU_NONE, 0, false, "", ""},
};

static int times_int(const struct case_times *t, size_t off)
{
	int v;
	memcpy(&v, (const char *)t + off, sizeof v);
	return v;
}

dd_date casework_due(const struct calendar *cal, const struct case_times *t, enum case_state s, dd_date entered,
		     dd_date accepted)
{
	if ((unsigned)s >= CS_COUNT)
		return CASE_NO_DATE;
	const struct due_rule *r = &due_rules[s];
	dd_date total = CASE_NO_DATE;
	if (accepted != CASE_NO_DATE)
		total = calendar_add_workdays(cal, accepted,
					      t->township_approves ? t->total_workdays_delegated : t->total_workdays);
	dd_date due = CASE_NO_DATE;
	switch (r->unit) {
	case DU_NONE:
		return CASE_NO_DATE;
	case DU_WORKDAYS:
		due = calendar_add_workdays(cal, entered, times_int(t, r->param));
		break;
	case DU_TOTAL:
		due = total != CASE_NO_DATE ? total : entered;
		break;
	case DU_NOTICE:
		due = calendar_add_workdays(cal, casework_notice_until(t, entered), times_int(t, r->param));
		break;
	}
	if (r->capped && total != CASE_NO_DATE && total < due)
		due = total;
	return due;
}

enum review_kind casework_review_kind(bool tekun, bool member_able_to_work, bool death_after_decision)
{
	if (death_after_decision)
		return RK_AFTER_DEATH;
	if (!tekun && member_able_to_work)
		return RK_VARIABLE;
	return RK_STABLE;
}

const char *review_kind_code(enum review_kind k)
{
	switch (k) {
	case RK_STABLE:
		return "stable";
	case RK_VARIABLE:
		return "variable";
	case RK_AFTER_DEATH:
		return "after_death";
	}
	return "";
}

dd_date casework_review_due(const struct review_times *t, enum review_kind k, dd_date decided, dd_date death)
{
	switch (k) {
	case RK_STABLE:
		return date_add_months(decided, t->stable_months);
	case RK_VARIABLE:
		return date_add_months(decided, t->variable_months);
	case RK_AFTER_DEATH:
		return date_add_months(death, t->after_death_months);
	}
	return decided;
}

static void roles_text(struct strbuf *o, unsigned roles)
{
	bool first = true;
	for (unsigned i = 0; i < sizeof role_codes / sizeof role_codes[0]; i++) {
		if (!(roles & (1u << i)))
			continue;
		if (!first)
			strbuf_adds(o, ", ");
		strbuf_addc(o, '`');
		strbuf_adds(o, role_codes[i]);
		strbuf_addc(o, '`');
		first = false;
	}
}

static void guards_text(struct strbuf *o, unsigned g)
{
	static const struct {
		unsigned bit;
		const char *text;
	} names[] = {
	    {CG_WAIVER, "免于入户调查政策启用 (`procedure.waive_investigation`)"},
	    {CG_DELEGATED, "审批权下放 (`procedure.township_approves`) 且非近亲属备案"},
	    {CG_NOTICE_OVER, "公示期已满"},
	};
	bool first = true;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (!(g & names[i].bit))
			continue;
		if (!first)
			strbuf_adds(o, "；");
		strbuf_adds(o, names[i].text);
		first = false;
	}
	if (first)
		strbuf_adds(o, "—");
}

void casework_describe(struct strbuf *o)
{
	strbuf_adds(o, "| from | action | roles | condition | to |\n|---|---|---|---|---|\n");
	for (size_t i = 0; i < sizeof transitions / sizeof transitions[0]; i++) {
		const struct case_transition *t = &transitions[i];
		strbuf_addf(o, "| `%s` %s | `%s` %s | ", states[t->from].code, states[t->from].zh,
			    actions[t->action].code, actions[t->action].zh);
		roles_text(o, t->roles);
		strbuf_adds(o, " | ");
		guards_text(o, t->guards);
		strbuf_addf(o, " | `%s` |\n", states[t->to].code);
	}
	strbuf_adds(o, "\n| state | pending work | due | capped by the whole procedure |\n|---|---|---|---|\n");
	for (int s = 0; s < CS_COUNT; s++) {
		const struct due_rule *r = &due_rules[s];
		strbuf_addf(o, "| `%s` | %s | ", states[s].code, r->unit == DU_NONE ? "—" : r->zh);
		switch (r->unit) {
		case DU_NONE:
			strbuf_adds(o, "—");
			break;
		case DU_WORKDAYS:
			strbuf_addf(o, "entered + `%s` working days", r->param_name);
			break;
		case DU_TOTAL:
			strbuf_adds(o, "accepted + `procedure.total_workdays` working days "
				       "(`procedure.total_workdays_delegated` when the township approves)");
			break;
		case DU_NOTICE:
			strbuf_adds(o, "entered + `procedure.public_notice_days` calendar days (the notice), "
				       "then + `procedure.county_decision_workdays` working days");
			break;
		}
		strbuf_addf(o, " | %s |\n", r->capped ? "yes" : "no");
	}
}
