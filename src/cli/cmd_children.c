/* cmd_children.c - doudi children review: the monthly review of the
 * children's allowance decisions (service/children_review), as POST
 * /api/v1/children/review does; meant for a monthly cron job run before the
 * month's payroll is generated. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_session.h"
#include "core/strbuf.h"
#include "service/casework.h"
#include "service/children_review.h"

static void usage(void)
{
	fprintf(stderr,
		"用法 (usage):\n"
		"  doudi children review [--db DB] [--as USER] [--policy FILE] [--region CODE] [--month YYYY-MM]\n"
		"按当前政策参数和登记信息复核儿童基本生活保障决定：年满18周岁（含延期、在校）或死亡的设定终止月份，\n"
		"保障标准调整的自该月起按新标准重新决定；逐条记审计。--month 省略时为本月；--as 省略时以系统身份\n"
		"运行（全部地区）。宜每月生成发放名册之前由 cron 执行。\n");
}

int cmd_children(int argc, char **argv)
{
	const char *db_target = NULL, *as = NULL, *policy = NULL, *region = NULL, *month = NULL;
	if (argc < 2 || strcmp(argv[1], "review") != 0) {
		usage();
		return argc >= 2 && strcmp(argv[1], "--help") == 0 ? EXIT_OK : EXIT_BAD_INPUT;
	}
	for (int i = 2; i < argc; i++) {
		const char **slot = strcmp(argv[i], "--db") == 0       ? &db_target
				    : strcmp(argv[i], "--as") == 0     ? &as
				    : strcmp(argv[i], "--policy") == 0 ? &policy
				    : strcmp(argv[i], "--region") == 0 ? &region
				    : strcmp(argv[i], "--month") == 0  ? &month
								       : NULL;
		if (!slot || i + 1 >= argc) {
			fprintf(stderr,
				"doudi children: 无法识别的参数或缺少值 \"%s\" (unknown argument or missing value)\n",
				argv[i]);
			usage();
			return EXIT_BAD_INPUT;
		}
		*slot = argv[++i];
	}
	dd_date today = casework_today();
	char this_month[MONTH_TEXT_MAX];
	month_format(date_month(today), this_month);
	struct cli_session ses;
	int code = cli_session_open(&ses, "doudi children", db_target, as, policy, true);
	if (code)
		return code;
	struct svc_error e;
	svc_error_clear(&e);
	struct strbuf out;
	strbuf_init(&out, 1024);
	enum svc_kind k =
	    children_review(ses.db, ses.policy, ses.as, region, month ? month : this_month, today, &out, &e);
	cli_session_close(&ses);
	if (k) {
		strbuf_release(&out);
		return cli_svc_fail("doudi children", k, &e);
	}
	printf("%.*s\n", (int)out.len, out.buf ? out.buf : "");
	strbuf_release(&out);
	return EXIT_OK;
}
