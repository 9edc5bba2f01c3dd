/* cmd_payroll_checks.c - `doudi payroll checks|findings|resolve|act`: the
 * checks before approval and the batch workflow from the command line, as a
 * named account (--as), through the same services as the API. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_session.h"
#include "core/policy.h"
#include "core/strbuf.h"
#include "service/accounts.h"
#include "service/payroll.h"
#include "service/payroll_checks.h"
#include "service/policy_store.h"
#include "service/subsidy.h"
#include "store/db.h"

struct opts {
	const char *db, *as, *policy, *batch, *finding, *action, *reason, *version, *note, *state, *check;
	const char *region, *code, *date, *period;
};

void cmd_payroll_more_usage(void)
{
	fprintf(stderr,
		"  doudi payroll checks --batch ID --as USER [--db DB] [--policy FILE]\n"
		"      运行发放前核查，输出核查结果汇总 (run the checks before approval)\n"
		"  doudi payroll findings --batch ID --as USER [--state open|cleared|overridden] [--check CODE]\n"
		"      列出核查问题 (list the findings)\n"
		"  doudi payroll resolve --finding ID --action clear|override --reason TEXT --as USER\n"
		"      处理核查问题：clear 剔除（暂停发放），override 说明理由后照常发放\n"
		"  doudi payroll act --batch ID --action check|approve|export|reconcile|cancel|reopen --version N\n"
		"      --as USER [--note TEXT] [--policy FILE]   发放批次流程操作 (a workflow action)\n"
		"  doudi payroll campaign --region COUNTY --code CODE --date YYYY-MM-DD --period YYYY-MM --as USER\n"
		"      [--db DB] [--policy FILE]   按基准日在册人员发放一次性补贴（每人一次，可重复运行）\n"
		"      (a one-time subsidy campaign: everyone on the rolls at the date, once)\n");
}

int cmd_payroll_more(int argc, char **argv)
{
	const char *sub = argv[1];
	bool checks = strcmp(sub, "checks") == 0, findings = strcmp(sub, "findings") == 0,
	     resolve = strcmp(sub, "resolve") == 0, act = strcmp(sub, "act") == 0,
	     campaign = strcmp(sub, "campaign") == 0;
	if (!strcmp(sub, "epidemic") || !strcmp(sub, "temporary") || !strcmp(sub, "epidemic-patient") ||
	    !strcmp(sub, "epidemic-discharge"))
		return cmd_payroll_aid(argc, argv);
	if (!checks && !findings && !resolve && !act && !campaign) {
		fprintf(stderr, "doudi payroll: 未知的子命令 \"%s\" (unknown subcommand)\n", sub);
		cmd_payroll_more_usage();
		return EXIT_BAD_INPUT;
	}
	struct opts o = {0};
	static const struct {
		const char *flag;
		size_t off;
	} flags[] = {
	    {"--db", offsetof(struct opts, db)},	   {"--as", offsetof(struct opts, as)},
	    {"--policy", offsetof(struct opts, policy)},   {"--batch", offsetof(struct opts, batch)},
	    {"--finding", offsetof(struct opts, finding)}, {"--action", offsetof(struct opts, action)},
	    {"--reason", offsetof(struct opts, reason)},   {"--version", offsetof(struct opts, version)},
	    {"--note", offsetof(struct opts, note)},	   {"--state", offsetof(struct opts, state)},
	    {"--check", offsetof(struct opts, check)},	   {"--region", offsetof(struct opts, region)},
	    {"--code", offsetof(struct opts, code)},	   {"--date", offsetof(struct opts, date)},
	    {"--period", offsetof(struct opts, period)},
	};
	for (int i = 2; i < argc; i += 2) {
		size_t j = 0;
		while (j < sizeof flags / sizeof flags[0] && strcmp(argv[i], flags[j].flag) != 0)
			j++;
		if (j == sizeof flags / sizeof flags[0] || i + 1 >= argc) {
			fprintf(stderr,
				"doudi payroll %s: 无法识别的参数或缺少值 \"%s\" (unknown argument or missing value)\n",
				sub, argv[i]);
			cmd_payroll_more_usage();
			return EXIT_BAD_INPUT;
		}
		*(const char **)((char *)&o + flags[j].off) = argv[i + 1];
	}
	if (!o.as) {
		fprintf(stderr, "doudi payroll %s: 需要 --as USER (--as is required)\n", sub);
		return EXIT_BAD_INPUT;
	}
	int64_t batch = 0, finding = 0, version = 0;
	if (((checks || findings || act) && !cli_parse_id("--batch", o.batch, 0, &batch)) ||
	    (resolve && !cli_parse_id("--finding", o.finding, 0, &finding)) ||
	    (act && !cli_parse_id("--version", o.version, 0, &version)))
		return EXIT_BAD_INPUT;
	struct cli_session ses;
	int code = cli_session_open(&ses, "doudi payroll", o.db, o.as, o.policy, checks || act || campaign);
	if (code)
		return code;
	struct db *db = ses.db;
	const struct principal *actor = ses.as;
	const struct policy *p = ses.policy;
	struct svc_error e;
	svc_error_clear(&e);
	struct strbuf out;
	strbuf_init(&out, 1024);
	enum svc_kind k;
	if (checks)
		k = payroll_checks_run(db, actor, p, batch, &out, &e);
	else if (findings)
		k = payroll_findings_list(db, actor, batch, o.state, o.check, 1, 100, &out, &e);
	else if (campaign)
		k = subsidy_campaign_run(db, actor, p, o.code, o.region, o.date, o.period, &out, &e);
	else if (resolve)
		k = payroll_finding_resolve(db, actor, finding, o.action, o.reason, &out, &e);
	else
		k = payroll_batch_act(db, actor, p, batch, o.action ? o.action : "", version, o.note, &out, &e);
	cli_session_close(&ses);
	if (k)
		code = cli_svc_fail("doudi payroll", k, &e);
	else
		printf("%s\n", out.buf ? out.buf : "");
	strbuf_release(&out);
	return code;
}
