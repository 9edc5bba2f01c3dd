/* cmd_backup.c - `doudi backup --db DB FILE`: an online backup of the SQLite
 * store (sqlite3_backup, one consistent snapshot while others keep writing)
 * into a new file of mode 0600. PostgreSQL is backed up with pg_dump
 * (docs/operations.md). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "store/db.h"

static void backup_usage(void)
{
	fprintf(stderr, "用法 (usage): doudi backup [--db PATH] [--force] FILE\n"
			"  SQLite 在线备份到新文件（权限 0600）；--force 覆盖已有文件。PostgreSQL 请用 pg_dump。\n"
			"  (online backup of the SQLite store into FILE, mode 0600; --force overwrites;\n"
			"   for PostgreSQL use pg_dump, see docs/operations.md)\n");
}

int cmd_backup(int argc, char **argv)
{
	const char *target = NULL, *out = NULL;
	bool force = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--db") == 0 && i + 1 < argc) {
			target = argv[++i];
		} else if (strcmp(a, "--force") == 0) {
			force = true;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			backup_usage();
			return EXIT_OK;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "doudi backup: 无法识别的参数 \"%s\" (unknown argument)\n", a);
			backup_usage();
			return EXIT_BAD_INPUT;
		} else if (!out) {
			out = a;
		} else {
			backup_usage();
			return EXIT_BAD_INPUT;
		}
	}
	if (target && db_target_is_postgres(target)) {
		fprintf(stderr,
			"doudi backup: PostgreSQL 数据库请用 pg_dump 备份，例如 "
			"pg_dump --format=custom --file FILE \"$DOUDI_DB\"；恢复用 pg_restore，见 "
			"docs/operations.md\n"
			"(for PostgreSQL use pg_dump --format=custom and pg_restore; see docs/operations.md)\n");
		return EXIT_BAD_INPUT;
	}
	if (!out) {
		fprintf(stderr, "doudi backup: 缺少备份文件名 (missing FILE)\n");
		backup_usage();
		return EXIT_BAD_INPUT;
	}
	dd_error err;
	dd_error_clear(&err);
	struct db *db = NULL;
	dd_status rc = cli_db_open(target, false, &db, &err);
	if (!rc)
		rc = db_backup(db, out, force, &err);
	db_close(db);
	if (rc) {
		cli_print_error(&err);
		return cli_exit_code(rc);
	}
	printf("已备份 %s 到 %s (backup written)\n", cli_db_label(target), out);
	return EXIT_OK;
}
