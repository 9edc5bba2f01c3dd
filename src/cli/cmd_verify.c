/* cmd_verify.c - doudi verify purge: the household economic verification
 * data past verification.retention_days is purged (service/verification),
 * as POST /api/v1/verifications/purge does; meant for a daily cron job. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/policy.h"
#include "service/accounts.h"
#include "service/casework.h"
#include "service/policy_store.h"
#include "service/verification.h"
#include "store/db.h"

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
	dd_error err;
	dd_error_clear(&err);
	struct db *db = NULL;
	dd_status rc = cli_db_open(db_target, false, &db, &err);
	if (rc) {
		cli_print_error(&err);
		return cli_exit_code(rc);
	}
	char *text = NULL;
	size_t text_n = 0;
	if (!cli_policy_text(policy, &text, &text_n)) {
		db_close(db);
		return EXIT_BAD_INPUT;
	}
	struct svc_error e;
	svc_error_clear(&e);
	struct principal actor;
	struct policy_store *ps = NULL;
	int64_t purged = 0;
	enum svc_kind k = as ? accounts_principal(db, as, &actor, &e) : SVC_OK;
	if (!k)
		k = policy_store_open(&ps, text, text_n, db, &e);
	if (!k) {
		struct verification_env env = {.policy = policy_store_acquire(ps), .today = casework_today()};
		k = verification_purge(db, &env, as ? &actor : NULL, &purged, &e);
		policy_store_release(ps, env.policy);
	}
	policy_store_close(ps);
	free(text);
	db_close(db);
	if (k) {
		fprintf(stderr, "%s: %s (%s)\n", e.field[0] ? e.field : "doudi verify", e.message, e.code);
		return cli_svc_exit(k);
	}
	printf("{\"purged\":%lld}\n", (long long)purged);
	return EXIT_OK;
}
