/* cmd_match.c - `doudi match`: other departments' datasets against the
 * monitored population (service/monitor.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/calendar.h"
#include "core/strbuf.h"
#include "service/accounts.h"
#include "service/monitor.h"
#include "service/monitor_alerts.h"
#include "service/monitor_register.h"
#include "store/db.h"
#include "store/store.h"

static void usage(void)
{
	fprintf(stderr,
		"用法 (usage): doudi match [--db DB] [--as USER] [--as-of YYYY-MM-DD] [--encoding auto|utf-8|gb18030]\n"
		"                   [--threads N] [--calendar FILE] --kind KIND FILE… [--kind KIND FILE…]\n"
		"  将其他部门数据（死亡、车辆、工商、医保……）与监测对象比对，生成预警和主动发现线索；\n"
		"  同一事实不重复预警，可重复运行。每个文件的错误行写入 FILE.rejects.csv。\n"
		"  (match datasets against the monitored population; re-running raises nothing new)\n");
}

/* Prints the outcome of a service call (the error naming its field, else
 * out's JSON), releases out and closes the store; the exit code. */
static int report(const char *label, struct db *db, enum svc_kind k, const struct svc_error *e, struct strbuf *out)
{
	if (k)
		cli_svc_print(label, e);
	else
		printf("%s\n", out->buf ? out->buf : "{}");
	strbuf_release(out);
	db_close(db);
	return cli_svc_exit(k);
}

int cmd_match(int argc, char **argv)
{
	const char *db_target = NULL, *as = NULL, *as_of = NULL, *enc_text = NULL, *threads = NULL, *calendar = NULL;
	const char *kind = NULL;
	struct monitor_file *files = calloc((size_t)argc, sizeof *files);
	int nfiles = 0;
	if (!files)
		return EXIT_INTERNAL;
	for (int i = 1; i < argc; i++) {
		const char **slot = NULL;
		if (!strcmp(argv[i], "--db"))
			slot = &db_target;
		else if (!strcmp(argv[i], "--as"))
			slot = &as;
		else if (!strcmp(argv[i], "--as-of"))
			slot = &as_of;
		else if (!strcmp(argv[i], "--encoding"))
			slot = &enc_text;
		else if (!strcmp(argv[i], "--threads"))
			slot = &threads;
		else if (!strcmp(argv[i], "--calendar"))
			slot = &calendar;
		else if (!strcmp(argv[i], "--kind"))
			slot = &kind;
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage();
			free(files);
			return EXIT_OK;
		}
		if (slot) {
			if (i + 1 >= argc) {
				fprintf(stderr, "doudi match: %s 缺少值 (missing value)\n", argv[i]);
				free(files);
				return EXIT_BAD_INPUT;
			}
			*slot = argv[++i];
			continue;
		}
		if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "doudi match: 无法识别的参数 \"%s\" (unknown argument)\n", argv[i]);
			usage();
			free(files);
			return EXIT_BAD_INPUT;
		}
		if (!kind) {
			fprintf(stderr, "doudi match: 文件 %s 之前须用 --kind 指明数据类型 (--kind first)\n", argv[i]);
			free(files);
			return EXIT_BAD_INPUT;
		}
		files[nfiles++] = (struct monitor_file){.kind = kind, .path = argv[i]};
	}
	if (!nfiles) {
		usage();
		free(files);
		return EXIT_BAD_INPUT;
	}
	enum text_encoding enc = TEXT_AUTO;
	if (enc_text && !text_encoding_parse(enc_text, &enc)) {
		fprintf(stderr, "encoding: 须为 auto、utf-8 或 gb18030 (bad encoding)\n");
		free(files);
		return EXIT_BAD_INPUT;
	}
	int64_t nthreads = 0;
	if (threads && (!cli_parse_id("threads", threads, 1, &nthreads) || nthreads > 8)) {
		fprintf(stderr, "threads: 须为 1 至 8 (1..8)\n");
		free(files);
		return EXIT_BAD_INPUT;
	}
	struct calendar cal;
	if (!cli_load_calendar(calendar, &cal)) {
		free(files);
		return EXIT_BAD_INPUT;
	}
	dd_error err;
	dd_error_clear(&err);
	struct db *db = NULL;
	dd_status rc = cli_db_open(db_target, false, &db, &err);
	if (rc) {
		cli_print_error(&err);
		calendar_release(&cal);
		free(files);
		return cli_exit_code(rc);
	}
	struct svc_error e;
	svc_error_clear(&e);
	struct principal actor;
	enum svc_kind k = as ? accounts_principal(db, as, &actor, &e) : SVC_OK;
	struct strbuf out;
	strbuf_init(&out, 1024);
	if (!k) {
		struct monitor_match_options o = {.files = files,
						  .nfiles = nfiles,
						  .as_of = as_of,
						  .encoding = enc,
						  .threads = (int)nthreads,
						  .cal = &cal};
		k = monitor_match(db, as ? &actor : NULL, &o, &out, &e);
	}
	calendar_release(&cal);
	free(files);
	return report("doudi match", db, k, &e, &out);
}

static void monitor_usage(void)
{
	fprintf(
	    stderr,
	    "用法 (usage): doudi monitor register-import FILE [--db DB] [--as USER] [--encoding E]\n"
	    "  导入低收入人口监测对象名册（身份证号码、姓名、区划代码、类别、纳入日期）\n"
	    "  (load the monitoring register; known ID numbers are updated)\n"
	    "  doudi monitor alerts [--db DB] [--as USER] [--state S] [--kind K] [--lead|--not-lead] [--overdue]\n"
	    "                       [--region CODE] [--page N] [--per-page N]\n"
	    "      列出本辖区预警，按办理期限排序；--overdue 只列逾期未办结的 (list alerts by due date)\n"
	    "  doudi monitor alert ID [--db DB] [--as USER] [--reveal]\n"
	    "      查看一条预警；--reveal 显示完整身份证号（记入审计） (one alert)\n"
	    "  doudi monitor alert ID verify --as USER --version V\n"
	    "  doudi monitor alert ID act --as USER --version V --action review|suspend|temporary|none [--note 说明]\n"
	    "                       [--case CASE_ID]\n"
	    "  doudi monitor alert ID close --as USER --version V --result 处置结果\n"
	    "  doudi monitor alert ID release-hold --as USER --note 理由\n"
	    "      核实、处置（启动复核、暂停发放、临时救助、不予处置须说明理由）、办结\n"
	    "      解除暂停发放 (verify, act, close, release the payment hold; township or county staff)\n");
}

/* The caller: --as, or without it the system, which reads everything and
 * may not handle alerts (the steps need --as). */
static enum svc_kind alerts_actor(struct db *db, const char *as, struct principal *p, struct svc_error *e)
{
	if (as)
		return accounts_principal(db, as, p, e);
	memset(p, 0, sizeof *p);
	snprintf(p->username, sizeof p->username, "system");
	p->role = ROLE_ADMIN;
	principal_set_region(p, "000000");
	return SVC_OK;
}

/* doudi monitor alerts …, doudi monitor alert ID [STEP] … */
static int cmd_alerts(int argc, char **argv)
{
	bool one = !strcmp(argv[1], "alert");
	const char *db_target = NULL, *as = NULL, *state = NULL, *kind = NULL, *region = NULL, *page = NULL,
		   *per_page = NULL, *version = NULL, *action = NULL, *note = NULL, *result = NULL, *case_id = NULL;
	const char *id_text = NULL, *step = NULL;
	bool overdue = false, reveal = false;
	int lead = -1;
	for (int i = 2; i < argc; i++) {
		const char **slot = !strcmp(argv[i], "--db")	     ? &db_target
				    : !strcmp(argv[i], "--as")	     ? &as
				    : !strcmp(argv[i], "--state")    ? &state
				    : !strcmp(argv[i], "--kind")     ? &kind
				    : !strcmp(argv[i], "--region")   ? &region
				    : !strcmp(argv[i], "--page")     ? &page
				    : !strcmp(argv[i], "--per-page") ? &per_page
				    : !strcmp(argv[i], "--version")  ? &version
				    : !strcmp(argv[i], "--action")   ? &action
				    : !strcmp(argv[i], "--note")     ? &note
				    : !strcmp(argv[i], "--result")   ? &result
				    : !strcmp(argv[i], "--case")     ? &case_id
								     : NULL;
		if (slot && i + 1 < argc)
			*slot = argv[++i];
		else if (!slot && !strcmp(argv[i], "--overdue"))
			overdue = true;
		else if (!slot && !strcmp(argv[i], "--lead"))
			lead = 1;
		else if (!slot && !strcmp(argv[i], "--not-lead"))
			lead = 0;
		else if (!slot && !strcmp(argv[i], "--reveal"))
			reveal = true;
		else if (!slot && one && argv[i][0] != '-' && !id_text)
			id_text = argv[i];
		else if (!slot && one && argv[i][0] != '-' && !step)
			step = argv[i];
		else {
			fprintf(stderr, "doudi monitor: 无法识别的参数或缺少值 \"%s\" (unknown argument)\n", argv[i]);
			monitor_usage();
			return EXIT_BAD_INPUT;
		}
	}
	int64_t id = 0, pg = 1, pp = SVC_PER_PAGE_DEFAULT, ver = 0, cid = 0;
	if ((one && !id_text) || (id_text && !cli_parse_id("ID", id_text, 1, &id)) ||
	    (page && !cli_parse_id("page", page, 1, &pg)) ||
	    (per_page && !cli_parse_id("per-page", per_page, 1, &pp)) ||
	    (version && !cli_parse_id("version", version, 1, &ver)) ||
	    (case_id && !cli_parse_id("case", case_id, 1, &cid))) {
		if (one && !id_text)
			monitor_usage();
		return EXIT_BAD_INPUT;
	}
	const char *svc_step = !step			       ? NULL
			       : !strcmp(step, "verify")       ? "verify"
			       : !strcmp(step, "act")	       ? "action"
			       : !strcmp(step, "close")	       ? "close"
			       : !strcmp(step, "release-hold") ? "release_hold"
							       : "";
	if (svc_step && !*svc_step) {
		fprintf(stderr,
			"doudi monitor alert: 操作应为 verify、act、close 或 release-hold (unknown step \"%s\")\n",
			step);
		return EXIT_BAD_INPUT;
	}
	if (svc_step && !as) {
		fprintf(stderr, "doudi monitor alert %s: 需要 --as (--as is required)\n", step);
		return EXIT_BAD_INPUT;
	}
	dd_error err;
	dd_error_clear(&err);
	struct db *db = NULL;
	dd_status rc = cli_db_open(db_target, false, &db, &err);
	if (rc) {
		cli_print_error(&err);
		return cli_exit_code(rc);
	}
	struct svc_error e;
	svc_error_clear(&e);
	struct principal actor;
	struct strbuf out;
	strbuf_init(&out, 1024);
	enum svc_kind k = alerts_actor(db, as, &actor, &e);
	if (!k && !one) {
		struct alert_filter f = {.state = state,
					 .kind = kind,
					 .lead = lead,
					 .overdue = overdue,
					 .region = region,
					 .page = pg,
					 .per_page = pp};
		k = monitor_alerts_list(db, &actor, &f, store_today(), &out, &e);
	} else if (!k && !svc_step) {
		k = monitor_alerts_get(db, &actor, id, reveal, store_today(), &out, &e);
	} else if (!k && !strcmp(svc_step, "release_hold")) {
		k = monitor_alerts_release_hold(db, &actor, id, note, &out, &e);
	} else if (!k) {
		struct alert_step req = {
		    .step = svc_step, .version = ver, .action = action, .note = note, .result = result, .case_id = cid};
		k = monitor_alerts_step(db, &actor, id, &req, &out, &e);
	}
	return report("doudi monitor", db, k, &e, &out);
}

int cmd_monitor(int argc, char **argv)
{
	if (argc >= 2 && (!strcmp(argv[1], "alerts") || !strcmp(argv[1], "alert")))
		return cmd_alerts(argc, argv);
	if (argc < 3 || strcmp(argv[1], "register-import") != 0) {
		monitor_usage();
		return argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) ? EXIT_OK : EXIT_BAD_INPUT;
	}
	const char *db_target = NULL, *as = NULL, *enc_text = NULL, *file = NULL;
	for (int i = 2; i < argc; i++) {
		const char **slot = !strcmp(argv[i], "--db")	     ? &db_target
				    : !strcmp(argv[i], "--as")	     ? &as
				    : !strcmp(argv[i], "--encoding") ? &enc_text
								     : NULL;
		if (slot && i + 1 < argc) {
			*slot = argv[++i];
		} else if (!slot && argv[i][0] != '-' && !file) {
			file = argv[i];
		} else {
			fprintf(stderr, "doudi monitor: 无法识别的参数或缺少值 \"%s\" (unknown argument)\n", argv[i]);
			monitor_usage();
			return EXIT_BAD_INPUT;
		}
	}
	enum text_encoding enc = TEXT_AUTO;
	if (!file || (enc_text && !text_encoding_parse(enc_text, &enc))) {
		monitor_usage();
		return EXIT_BAD_INPUT;
	}
	dd_error err;
	dd_error_clear(&err);
	struct db *db = NULL;
	dd_status rc = cli_db_open(db_target, false, &db, &err);
	if (rc) {
		cli_print_error(&err);
		return cli_exit_code(rc);
	}
	struct svc_error e;
	svc_error_clear(&e);
	struct principal actor;
	enum svc_kind k = as ? accounts_principal(db, as, &actor, &e) : SVC_OK;
	struct strbuf out;
	strbuf_init(&out, 256);
	if (!k)
		k = monitor_register_import(db, as ? &actor : NULL, file, enc, &out, &e);
	return report("doudi monitor", db, k, &e, &out);
}
