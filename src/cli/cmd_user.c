/* cmd_user.c - `doudi user add`: creates a staff account acting as a named
 * account (--as), through the same account service as the HTTP API, so the
 * same role and region checks apply. The password comes from a file or
 * standard input, never from the command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"
#include "service/accounts.h"
#include "service/password.h"
#include "store/db.h"

static void user_usage(void)
{
	fprintf(
	    stderr,
	    "用法 (usage): doudi user add [--db PATH|postgresql://…] --as ACTOR --username NAME --role ROLE\n"
	    "                            --region CODE [--name 姓名] [--office OFFICE_CODE] --password-file FILE|-\n"
	    "  以 ACTOR 账户的权限创建账户：系统管理员可建任何角色；区县账户只能在本辖区内建村（居）、\n"
	    "  乡镇（街道）、区县、儿童主任、儿童督导员角色。(creates an account with ACTOR's rights, the same\n"
	    "  rules as the API)\n"
	    "  角色 ROLE: village township county finance city auditor admin department child_director\n"
	    "  (儿童主任, --region 12 位村（居）代码) child_supervisor (儿童督导员, --region 9 位乡镇代码)\n");
}

int cmd_user(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "add") != 0) {
		user_usage();
		return argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) ? EXIT_OK
												   : EXIT_BAD_INPUT;
	}
	const char *target = NULL, *as = NULL, *pw_src = NULL;
	struct account_new req = {0};
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			user_usage();
			return EXIT_OK;
		}
		if (strncmp(a, "--password", 10) == 0 && strcmp(a, "--password-file") != 0) {
			fprintf(stderr, "doudi user: 密码不能写在命令行上，请用 --password-file FILE 或 - "
					"(never pass a password on the command line)\n");
			return EXIT_BAD_INPUT;
		}
		if (!v) {
			fprintf(stderr,
				"doudi user: 无法识别的参数或缺少值 \"%s\" (unknown argument or missing value)\n", a);
			return EXIT_BAD_INPUT;
		}
		i++;
		if (strcmp(a, "--db") == 0)
			target = v;
		else if (strcmp(a, "--as") == 0)
			as = v;
		else if (strcmp(a, "--username") == 0)
			req.username = v;
		else if (strcmp(a, "--role") == 0)
			req.role = v;
		else if (strcmp(a, "--region") == 0)
			req.region = v;
		else if (strcmp(a, "--name") == 0)
			req.name = v;
		else if (strcmp(a, "--office") == 0)
			req.office = v;
		else if (strcmp(a, "--password-file") == 0)
			pw_src = v;
		else {
			fprintf(stderr, "doudi user: 无法识别的参数 \"%s\" (unknown argument)\n", a);
			user_usage();
			return EXIT_BAD_INPUT;
		}
	}
	if (!as || !pw_src) {
		fprintf(stderr, "doudi user: 需要 --as 和 --password-file (--as and --password-file are required)\n");
		return EXIT_BAD_INPUT;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "doudi user: 无法初始化 libsodium (libsodium init failed)\n");
		return EXIT_INTERNAL;
	}
	dd_error err;
	dd_error_clear(&err);
	char *pw = NULL;
	size_t pw_n = 0;
	dd_status rc = cli_read_file(pw_src, PASSWORD_MAX_BYTES + 2, &pw, &pw_n, &err);
	if (rc) {
		snprintf(err.field, sizeof err.field, "--password-file");
		cli_print_error(&err);
		return cli_exit_code(rc);
	}
	if (pw_n && pw[pw_n - 1] == '\n')
		pw[--pw_n] = '\0';
	if (pw_n && pw[pw_n - 1] == '\r')
		pw[--pw_n] = '\0';
	req.password = pw;
	req.password_len = pw_n;

	struct db *db = NULL;
	int code = EXIT_OK;
	struct svc_error e;
	svc_error_clear(&e);
	struct principal actor, created;
	enum svc_kind k = SVC_OK;
	if ((rc = cli_db_open(target, false, &db, &err))) {
		cli_print_error(&err);
		code = cli_exit_code(rc);
	} else if ((k = accounts_principal(db, as, &actor, &e)) ||
		   (k = accounts_create(db, &actor, &req, &created, &e))) {
		code = cli_svc_fail("doudi user", k, &e);
	} else {
		printf("已创建账户 (created account) %s: %s %s%s%s\n", created.username, role_name(created.role),
		       created.region, created.office[0] ? " " : "", created.office);
	}
	db_close(db);
	sodium_memzero(pw, pw_n);
	free(pw);
	return code;
}
