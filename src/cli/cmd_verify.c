/* cmd_verify.c - doudi verify purge: the household economic verification
 * data past verification.retention_days is purged (service/verification),
 * as POST /api/v1/verifications/purge does; meant for a daily cron job. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_session.h"
#include "service/casework.h"
#include "service/verification.h"

static void usage(void)
{
	fprintf(stderr, "用法 (usage):\n"
			"  doudi verify purge [--db DB] [--as USER] [--policy FILE]\n"
			"清除超过保存期限（verification.retention_days）的家庭经济状况核对回复和报告，逐条记审计。\n"
			"--as 省略时以系统身份运行（全部地区）；宜每日由 cron 执行。\n");
}

int cmd_verify(int argc, char **argv)
{
	const char *db_target = NULL, *as = NULL, *policy = NULL;
	if (argc < 2 || strcmp(argv[1], "purge") != 0) {
		usage();
		return argc >= 2 && strcmp(argv[1], "--help") == 0 ? EXIT_OK : EXIT_BAD_INPUT;
	}
	for (int i = 2; i < argc; i++) {
		const char **slot = strcmp(argv[i], "--db") == 0       ? &db_target
				    : strcmp(argv[i], "--as") == 0     ? &as
				    : strcmp(argv[i], "--policy") == 0 ? &policy
								       : NULL;
		if (!slot || i + 1 >= argc) {
			fprintf(stderr,
				"doudi verify: 无法识别的参数或缺少值 \"%s\" (unknown argument or missing value)\n",
				argv[i]);
			usage();
			return EXIT_BAD_INPUT;
		}
		*slot = argv[++i];
	}
	struct cli_session ses;
	int code = cli_session_open(&ses, "doudi verify", db_target, as, policy, true);
	if (code)
		return code;
	struct svc_error e;
	svc_error_clear(&e);
	int64_t purged = 0;
	struct verification_env env = {.policy = ses.policy, .today = casework_today()};
	enum svc_kind k = verification_purge(ses.db, &env, ses.as, &purged, &e);
	cli_session_close(&ses);
	if (k)
		return cli_svc_fail("doudi verify", k, &e);
	printf("{\"purged\":%lld}\n", (long long)purged);
	return EXIT_OK;
}
