/* cmd_payroll_epidemic.c - `doudi payroll epidemic|temporary|epidemic-patient|
 * epidemic-discharge`: epidemic patient aid and staged temporary assistance
 * as bank payments, through service/epidemic_aid (the same rules as the API). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/policy.h"
#include "core/strbuf.h"
#include "service/accounts.h"
#include "service/epidemic_aid.h"
#include "service/policy_store.h"
#include "store/db.h"

void cmd_payroll_aid_usage(void)
{
	fprintf(stderr,
		"  doudi payroll epidemic --region CODE --period YYYY-MM [--as USER] [--db DB]\n"
		"      生成当月确诊患者救助发放批次（每个区县一个批次，每人每期一次，可重复运行）\n"
		"      (epidemic patient aid: the periods fallen due by the month's end, once each)\n"
		"  doudi payroll temporary --region CODE --period YYYY-MM [--as USER] [--db DB]\n"
		"      生成当月到期的分阶段临时救助发放批次（每个阶段一次，可重复运行）\n"
		"      (staged temporary assistance: the stages due by the month, once each)\n"
		"  doudi payroll epidemic-patient --person ID --diagnosed YYYY-MM-DD [--discharged YYYY-MM-DD]\n"
		"      [--note TEXT] --as USER [--db DB] [--policy FILE]   登记确诊患者 (record a confirmed patient)\n"
		"  doudi payroll epidemic-discharge --patient ID --discharged YYYY-MM-DD --as USER [--db DB]\n"
		"      登记出院日期，此后不再产生新的救助期 (enter the discharge date)\n");
}

struct opts {
	const char *db, *as, *policy, *region, *period, *person, *patient, *diagnosed, *discharged, *note;
};

int cmd_payroll_aid(int argc, char **argv)
{
	const char *sub = argv[1];
	bool run = strcmp(sub, "epidemic") == 0 || strcmp(sub, "temporary") == 0;
	bool add = strcmp(sub, "epidemic-patient") == 0, discharge = strcmp(sub, "epidemic-discharge") == 0;
	struct opts o = {0};
	static const struct {
		const char *flag;
		size_t off;
	} flags[] = {
	    {"--db", offsetof(struct opts, db)},
	    {"--as", offsetof(struct opts, as)},
	    {"--policy", offsetof(struct opts, policy)},
	    {"--region", offsetof(struct opts, region)},
	    {"--period", offsetof(struct opts, period)},
	    {"--person", offsetof(struct opts, person)},
	    {"--patient", offsetof(struct opts, patient)},
	    {"--diagnosed", offsetof(struct opts, diagnosed)},
	    {"--discharged", offsetof(struct opts, discharged)},
	    {"--note", offsetof(struct opts, note)},
	};
	for (int i = 2; i < argc; i += 2) {
		size_t j = 0;
		while (j < sizeof flags / sizeof flags[0] && strcmp(argv[i], flags[j].flag) != 0)
			j++;
		if (j == sizeof flags / sizeof flags[0] || i + 1 >= argc) {
			fprintf(stderr,
				"doudi payroll %s: 无法识别的参数或缺少值 \"%s\" (unknown argument or missing value)\n",
				sub, argv[i]);
			cmd_payroll_aid_usage();
			return EXIT_BAD_INPUT;
		}
		*(const char **)((char *)&o + flags[j].off) = argv[i + 1];
	}
	if ((add || discharge) && !o.as) {
		fprintf(stderr, "doudi payroll %s: 需要 --as USER (--as is required)\n", sub);
		return EXIT_BAD_INPUT;
	}
	int64_t id = 0;
	const char *id_text = add ? o.person : o.patient;
	if ((add || discharge) && !cli_parse_id(add ? "person_id" : "patient", id_text, 1, &id))
		return EXIT_BAD_INPUT;
	char *text = NULL;
	size_t text_n = 0;
	if (add && !cli_policy_text(o.policy, &text, &text_n))
		return EXIT_BAD_INPUT;
	dd_error err;
	dd_error_clear(&err);
	struct db *db = NULL;
	dd_status rc = cli_db_open(o.db, false, &db, &err);
	if (rc) {
		free(text);
		cli_print_error(&err);
		return cli_exit_code(rc);
	}
	struct svc_error e;
	svc_error_clear(&e);
	struct principal actor;
	struct policy_store *ps = NULL;
	struct strbuf out;
	strbuf_init(&out, 1024);
	enum svc_kind k = o.as ? accounts_principal(db, o.as, &actor, &e) : SVC_OK;
	if (!k && text)
		k = policy_store_open(&ps, text, text_n, db, &e);
	if (!k) {
		if (run)
			k = payroll_aid_run(db, o.as ? &actor : NULL, sub, o.region, o.period, &out, &e);
		else if (add) {
			const struct policy *p = policy_store_acquire(ps);
			k = epidemic_patient_add(db, &actor, p, id, o.diagnosed, o.discharged, o.note, &out, &e);
			policy_store_release(ps, p);
		} else
			k = epidemic_patient_discharge(db, &actor, id, o.discharged, &out, &e);
	}
	if (k)
		cli_svc_print("doudi payroll", &e);
	else
		printf("%s\n", out.buf ? out.buf : "");
	strbuf_release(&out);
	policy_store_close(ps);
	free(text);
	db_close(db);
	return cli_svc_exit(k);
}
