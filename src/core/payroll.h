/* payroll.h - the payroll batch workflow (issue 6), pure: states, actions,
 * who may take which action, and the texts users read. No I/O.
 *
 *   draft ──check──▶ checked ──approve──▶ approved ──export──▶ exported ──reconcile──▶ reconciled
 *     ▲                 │
 *     └─────reopen──────┘          draft, checked ──cancel──▶ cancelled
 *
 * check (区县核对): county, only with no open finding; approve (财政审核):
 * finance; export (生成银行文件): finance; reconcile (对账完成): county or
 * finance, once every exported payment is paid or returned; cancel (作废):
 * county; reopen (退回修改): county. */
#ifndef DD_CORE_PAYROLL_H
#define DD_CORE_PAYROLL_H

#include <stdbool.h>
#include <stdint.h>

enum payroll_state {
	PS_NONE = 0,
	PS_DRAFT,
	PS_CHECKED,
	PS_APPROVED,
	PS_EXPORTED,
	PS_RECONCILED,
	PS_CANCELLED,
};

enum payroll_action {
	PA_NONE = 0,
	PA_CHECK,
	PA_APPROVE,
	PA_EXPORT,
	PA_RECONCILE,
	PA_CANCEL,
	PA_REOPEN,
};

enum payroll_refusal {
	PR_OK = 0,
	PR_ROLE,	     /* the role may not take this action */
	PR_STATE,	     /* not from this state */
	PR_FINDINGS_OPEN,    /* check with open findings */
	PR_PAYMENTS_PENDING, /* reconcile before every payment is answered */
};

enum payroll_state payroll_state_parse(const char *s);
const char *payroll_state_code(enum payroll_state s); /* "draft" … */
const char *payroll_state_zh(enum payroll_state s);   /* "草稿" … */
enum payroll_action payroll_action_parse(const char *s);
const char *payroll_action_code(enum payroll_action a);
const char *payroll_action_zh(enum payroll_action a);
const char *payroll_refusal_code(enum payroll_refusal r); /* "ROLE_NOT_ALLOWED" … */
const char *payroll_refusal_zh(enum payroll_refusal r);

/* Where the action leads from state for a user of role (authz role code:
 * "county", "finance", "admin" …), given the batch's open findings and its
 * payments not yet answered by the bank. PR_OK with *to set, or why not. */
enum payroll_refusal payroll_step(enum payroll_state from, enum payroll_action act, const char *role,
				  int64_t findings_open, int64_t payments_unanswered, enum payroll_state *to);

/* Programmes paid monthly from decisions, and their Chinese names. */
bool payroll_programme_valid(const char *programme); /* dibao, tekun */
const char *payroll_programme_zh(const char *programme);
/* The programme's Chinese name, or the code itself when it has none. */
const char *payroll_programme_name(const char *programme);
/* A bank account as lists show it: "****1234", the last four characters
 * only; "" for none. */
void payroll_mask_account(const char *account, char out[32]);
/* Payment line components (decision_lines.component) in Chinese. */
const char *payroll_component_zh(const char *component);

/* A payroll month "YYYY-MM": false unless exactly that shape with a month
 * 01..12 and a year 2000..2099. first_day gets "YYYY-MM-01". */
bool payroll_period_parse(const char *s, char first_day[11]);

#endif
