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
#include "service/monitor_register.h"
#include "store/db.h"

static void usage(void)
{
	fprintf(stderr,
		"用法 (usage): doudi match [--db DB] [--as USER] [--as-of YYYY-MM-DD] [--encoding auto|utf-8|gb18030]\n"
		"                   [--threads N] [--calendar FILE] --kind KIND FILE… [--kind KIND FILE…]\n"
		"  将其他部门数据（死亡、车辆、工商、医保……）与监测对象比对，生成预警和主动发现线索；\n"
		"  同一事实不重复预警，可重复运行。每个文件的错误行写入 FILE.rejects.csv。\n"
		"  (match datasets against the monitored population; re-running raises nothing new)\n");
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
	if (k)
		fprintf(stderr, "%s: %s (%s)\n", e.field[0] ? e.field : "doudi match", e.message, e.code);
	else
		printf("%s\n", out.buf ? out.buf : "{}");
	strbuf_release(&out);
	db_close(db);
	calendar_release(&cal);
	free(files);
	return k == SVC_OK ? EXIT_OK : k == SVC_INTERNAL || k == SVC_UNAVAILABLE ? EXIT_INTERNAL : EXIT_BAD_INPUT;
}

static void monitor_usage(void)
{
	fprintf(stderr, "用法 (usage): doudi monitor register-import FILE [--db DB] [--as USER] [--encoding E]\n"
			"  导入低收入人口监测对象名册（身份证号码、姓名、区划代码、类别、纳入日期）\n"
			"  (load the monitoring register; known ID numbers are updated)\n");
}

int cmd_monitor(int argc, char **argv)
{
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
	if (k)
		fprintf(stderr, "%s: %s (%s)\n", e.field[0] ? e.field : "doudi monitor", e.message, e.code);
	else
		printf("%s\n", out.buf ? out.buf : "{}");
	strbuf_release(&out);
	db_close(db);
	return k == SVC_OK ? EXIT_OK : k == SVC_INTERNAL || k == SVC_UNAVAILABLE ? EXIT_INTERNAL : EXIT_BAD_INPUT;
}
