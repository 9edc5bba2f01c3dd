/* cmd_init.c - `doudi init`: create or migrate the store (idempotent) and
 * create the bootstrap admin. The password comes from a file, standard input
 * or the terminal (echo off), never from the command line; it is hashed with
 * argon2id (libsodium crypto_pwhash_str) and wiped from memory after. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "core/region.h"
#include "core/strbuf.h"
#include "service/password.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/store.h"

#define PASSWORD_MIN_CHARS 8

static void init_usage(void)
{
	fprintf(stderr,
		"用法 (usage): doudi init [--db PATH|postgresql://…] [--admin NAME] [--admin-password-file FILE|-]\n"
		"                         [--admin-region CODE]\n"
		"  创建或升级数据库结构（可重复运行），并在没有管理员时创建首个管理员；\n"
		"  密码从文件、标准输入 (-) 或终端读取，绝不写在命令行上。\n"
		"  (creates or migrates the schema, idempotent, and the first admin; the password comes from\n"
		"   a file, stdin or the terminal, never from the command line)\n"
		"  默认 (defaults): --db " DB_DEFAULT_PATH " --admin admin --admin-region 000000\n");
}

/* Checks a password already stripped of its final line break. */
static dd_status password_check(const char *pw, size_t n, dd_error *err)
{
	if (n == 0)
		return dd_fail(err, DD_EINVAL, "password", "管理员密码为空 (empty password)");
	if (n > PASSWORD_MAX_BYTES)
		return dd_fail(err, DD_EINVAL, "password", "管理员密码过长，最多 %d 字节 (password too long)",
			       PASSWORD_MAX_BYTES);
	size_t chars = 0;
	for (size_t i = 0; i < n; i++) {
		if (pw[i] == '\0' || pw[i] == '\n' || pw[i] == '\r')
			return dd_fail(err, DD_EINVAL, "password",
				       "管理员密码不能包含换行或空字符 (password must be one line)");
		if (((unsigned char)pw[i] & 0xc0) != 0x80)
			chars++;
	}
	if (chars < PASSWORD_MIN_CHARS)
		return dd_fail(err, DD_EINVAL, "password",
			       "管理员密码太短，至少需要 %d 个字符 (password too short: at least %d characters)",
			       PASSWORD_MIN_CHARS, PASSWORD_MIN_CHARS);
	return DD_OK;
}

static void strip_line_end(char *s, size_t *n)
{
	if (*n && s[*n - 1] == '\n')
		s[--*n] = '\0';
	if (*n && s[*n - 1] == '\r')
		s[--*n] = '\0';
}

static void secret_free(char *s, size_t cap)
{
	if (s) {
		sodium_memzero(s, cap);
		free(s);
	}
}

/* One line from the terminal with echo off. */
static dd_status prompt_line(const char *prompt, char *buf, size_t cap, size_t *n, dd_error *err)
{
	struct termios old, quiet;
	bool restore = tcgetattr(STDIN_FILENO, &old) == 0;
	fprintf(stderr, "%s", prompt);
	fflush(stderr);
	if (restore) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	bool ok = fgets(buf, (int)cap, stdin) != NULL;
	if (restore)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	fprintf(stderr, "\n");
	if (!ok)
		return dd_fail(err, DD_EINVAL, "password", "未读到密码 (no password read)");
	*n = strlen(buf);
	strip_line_end(buf, n);
	return DD_OK;
}

static dd_status password_prompt(char **out, size_t *out_n, dd_error *err)
{
	size_t cap = PASSWORD_MAX_BYTES + 4, n1 = 0, n2 = 0;
	char *a = calloc(1, cap), *b = calloc(1, cap);
	dd_status rc = DD_OK;
	if (!a || !b)
		rc = dd_fail(err, DD_ENOMEM, "password", "内存不足 (out of memory)");
	if (!rc)
		rc = prompt_line("请输入管理员密码 (admin password): ", a, cap, &n1, err);
	if (!rc)
		rc = password_check(a, n1, err);
	if (!rc)
		rc = prompt_line("请再次输入 (again): ", b, cap, &n2, err);
	if (!rc && (n1 != n2 || sodium_memcmp(a, b, n1) != 0))
		rc = dd_fail(err, DD_EINVAL, "password", "两次输入的密码不一致 (passwords differ)");
	secret_free(b, cap);
	if (rc) {
		secret_free(a, cap);
		return rc;
	}
	*out = a;
	*out_n = n1;
	return DD_OK;
}

static dd_status password_read(const char *src, char **out, size_t *n, dd_error *err)
{
	char *buf = NULL;
	dd_status rc = cli_read_file(src, PASSWORD_MAX_BYTES + 2, &buf, n, err);
	if (rc) {
		if (err)
			snprintf(err->field, sizeof err->field, "--admin-password-file");
		return rc;
	}
	strip_line_end(buf, n);
	rc = password_check(buf, *n, err);
	if (rc) {
		secret_free(buf, *n);
		return rc;
	}
	*out = buf;
	return DD_OK;
}

static void report_migration(const struct store_migration *m, void *ctx)
{
	(void)ctx;
	printf("已应用迁移 (applied migration) %s\n", m->name);
}

/* Looks up an integer by one text parameter; *found false when no row. */
static dd_status lookup(struct db *db, const char *sql, const char *arg, int64_t *v, bool *found, dd_error *err)
{
	struct db_stmt *st;
	bool row = false;
	*found = false;
	dd_status rc = db_prepare(db, sql, 0, &st, err);
	if (rc)
		return rc;
	if (arg)
		db_bind_str(st, 1, arg);
	rc = db_step(st, &row, err);
	if (!rc && row) {
		*v = db_column_int64(st, 0);
		*found = true;
	}
	db_finalize(st);
	return rc;
}

static dd_status admin_create(struct db *db, const char *username, const char *region, const char *hash, int64_t *id,
			      dd_error *err)
{
	char now[STORE_TIME_MAX], id_text[24];
	store_now(now);
	dd_status rc = db_begin(db, err);
	if (rc)
		return rc;
	struct db_stmt *st;
	bool row = false;
	rc = db_prepare(db,
			"INSERT INTO users (username, name, password_hash, role, region_code, password_changed_at, "
			"created_at, updated_at) VALUES ($1, $2, $3, 'admin', $4, $5, $5, $5) RETURNING id",
			0, &st, err);
	if (!rc) {
		db_bind_str(st, 1, username);
		db_bind_str(st, 2, "系统管理员");
		db_bind_str(st, 3, hash);
		db_bind_str(st, 4, region);
		db_bind_str(st, 5, now);
		rc = db_step(st, &row, err);
		if (!rc && row)
			*id = db_column_int64(st, 0);
		while (!rc && row)
			rc = db_step(st, &row, err);
		db_finalize(st);
	}
	if (!rc) {
		struct strbuf d;
		strbuf_init(&d, 128);
		strbuf_adds(&d, "{\"username\":");
		strbuf_add_json_string(&d, username, strlen(username));
		strbuf_addf(&d, ",\"role\":\"admin\",\"region\":\"%s\",\"bootstrap\":true}", region);
		snprintf(id_text, sizeof id_text, "%lld", (long long)*id);
		if (d.failed)
			rc = dd_fail(err, DD_ENOMEM, "db", "内存不足 (out of memory)");
		else
			rc = audit_append_region(db, region, "system", "user.create", "user", id_text, d.buf, err);
		strbuf_release(&d);
	}
	if (!rc)
		rc = db_commit(db, err);
	else
		db_rollback(db);
	return rc;
}

int cmd_init(int argc, char **argv)
{
	const char *target = NULL, *admin = "admin", *pw_src = NULL, *region = "000000";
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			init_usage();
			return EXIT_OK;
		} else if (strcmp(a, "--db") == 0 && i + 1 < argc) {
			target = argv[++i];
		} else if (strcmp(a, "--admin") == 0 && i + 1 < argc) {
			admin = argv[++i];
		} else if (strcmp(a, "--admin-password-file") == 0 && i + 1 < argc) {
			pw_src = argv[++i];
		} else if (strcmp(a, "--admin-region") == 0 && i + 1 < argc) {
			region = argv[++i];
		} else if (strncmp(a, "--admin-password", 16) == 0 || strncmp(a, "--password", 10) == 0) {
			fprintf(stderr, "doudi init: 密码不能写在命令行上，请用 --admin-password-file FILE 或 - "
					"(never pass a password on the command line)\n");
			return EXIT_BAD_INPUT;
		} else {
			fprintf(stderr, "doudi init: 无法识别的参数 \"%s\" (unknown argument)\n", a);
			init_usage();
			return EXIT_BAD_INPUT;
		}
	}
	dd_error err;
	dd_error_clear(&err);
	char sig[REGION_TEXT_MAX];
	if (!username_valid(admin)) {
		fprintf(stderr, "--admin: 用户名须为 1-%d 字节，不含空白、引号和控制字符 (bad user name)\n",
			USERNAME_MAX);
		return EXIT_BAD_INPUT;
	}
	if (region_parse(region, strlen(region), 6, sig, &err)) {
		snprintf(err.field, sizeof err.field, "--admin-region");
		cli_print_error(&err);
		return EXIT_BAD_INPUT;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "doudi init: 无法初始化 libsodium (libsodium init failed)\n");
		return EXIT_INTERNAL;
	}
	/* a bad password file fails before anything is created */
	char *pw = NULL;
	size_t pw_n = 0;
	dd_status rc = DD_OK;
	bool prompt = pw_src && strcmp(pw_src, "-") == 0 && isatty(STDIN_FILENO);
	if (pw_src && !prompt && (rc = password_read(pw_src, &pw, &pw_n, &err))) {
		cli_print_error(&err);
		return rc == DD_ENOMEM ? EXIT_INTERNAL : EXIT_BAD_INPUT;
	}

	const char *label = cli_db_label(target);
	const char *path = target ? target : DB_DEFAULT_PATH;
	bool is_pg = db_target_is_postgres(path);
	struct stat sb;
	bool existed = is_pg || stat(path, &sb) == 0;
	struct db *db = NULL;
	bool changed = false;
	int exit_code = EXIT_OK;
	if ((rc = cli_db_open(target, true, &db, &err)))
		goto fail;
	if (!existed) {
		printf("已创建数据库 (created database) %s\n", label);
		changed = true;
	} else if (!is_pg && (sb.st_mode & 077)) {
		fprintf(stderr,
			"警告：数据库文件 %s 可被其他用户访问，建议 chmod 600 "
			"(warning: the database file is readable by others)\n",
			label);
	}
	struct store_migrate_result mr;
	if ((rc = store_migrate(db, "system", &mr, report_migration, NULL, &err)))
		goto fail;
	if (mr.applied)
		changed = true;
	else
		printf("数据库结构已是最新，版本 %d (schema up to date, version %d)\n", mr.to_version, mr.to_version);

	int64_t id = 0, admins = 0;
	bool found = false;
	if ((rc = lookup(db, "SELECT id FROM users WHERE username = $1", admin, &id, &found, &err)))
		goto fail;
	if (found) {
		printf("管理员 %s 已存在，未修改 (admin exists, unchanged)\n", admin);
		goto done;
	}
	if ((rc = lookup(db, "SELECT count(*) FROM users WHERE role = 'admin' AND active = 1", NULL, &admins, &found,
			 &err)))
		goto fail;
	if (admins > 0) {
		printf("已有管理员账户，未创建 %s：init 只创建首个管理员 "
		       "(an admin exists; init creates only the first one)\n",
		       admin);
		goto done;
	}
	if (!pw && (prompt || (!pw_src && isatty(STDIN_FILENO)))) {
		if ((rc = password_prompt(&pw, &pw_n, &err)))
			goto fail;
	}
	if (!pw) {
		fprintf(stderr, "未创建管理员：请用 --admin-password-file FILE 或 - 提供密码 "
				"(no admin created: give the password with --admin-password-file FILE|-)\n");
		goto done;
	}
	char hash[PASSWORD_HASH_MAX];
	if ((rc = password_hash(pw, pw_n, hash, &err)))
		goto fail;
	if ((rc = admin_create(db, admin, region, hash, &id, &err))) {
		if (db_last_fault(db) == DB_FAULT_UNIQUE) {
			printf("管理员 %s 已存在，未修改 (admin exists, unchanged)\n", admin);
			rc = DD_OK;
			goto done;
		}
		goto fail;
	}
	printf("已创建管理员 (created admin) %s\n", admin);
	changed = true;
done:
	printf("%s\n", changed ? "初始化完成 (init done)" : "无任何变更 (nothing changed)");
	goto out;
fail:
	cli_print_error(&err);
	exit_code = cli_exit_code(rc);
out:
	secret_free(pw, pw_n);
	db_close(db);
	return exit_code;
}
