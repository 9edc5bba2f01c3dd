/* cli_db.c - opening the store named by --db, the same way for every command. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "store/db.h"

int cli_exit_code(dd_status rc)
{
	switch (rc) {
	case DD_OK:
		return EXIT_OK;
	case DD_EINVAL:
	case DD_ERANGE:
	case DD_ENOTFOUND:
	case DD_ELIMIT:
		return EXIT_BAD_INPUT;
	case DD_ENOMEM:
	case DD_EIO:
		break;
	}
	return EXIT_INTERNAL;
}

int cli_svc_exit(enum svc_kind k)
{
	return k == SVC_OK ? EXIT_OK : k == SVC_INTERNAL || k == SVC_UNAVAILABLE ? EXIT_INTERNAL : EXIT_BAD_INPUT;
}

void cli_svc_print(const char *name, const struct svc_error *e)
{
	fprintf(stderr, "%s: %s (%s)\n", e->field[0] ? e->field : name, e->message, e->code);
}

int cli_svc_fail(const char *name, enum svc_kind k, const struct svc_error *e)
{
	cli_svc_print(name, e);
	return cli_svc_exit(k);
}

const char *cli_db_label(const char *target)
{
	if (!target)
		return DB_DEFAULT_PATH;
	return db_target_is_postgres(target) ? "PostgreSQL" : target;
}

/* mkdir -p of the directory part of path, new directories 0700. */
static dd_status make_parent(const char *path, dd_error *err)
{
	char dir[4096];
	if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir)
		return dd_fail(err, DD_ELIMIT, "--db", "路径过长 (path too long)");
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return DD_OK;
	*slash = '\0';
	for (char *p = dir + 1;; p++) {
		bool end = *p == '\0';
		if (*p == '/' || end) {
			char c = *p;
			*p = '\0';
			if (mkdir(dir, 0700) != 0 && errno != EEXIST)
				return dd_fail(err, DD_EIO, "--db", "无法创建目录 %s (cannot create directory: %s)",
					       dir, strerror(errno));
			*p = c;
		}
		if (end)
			break;
	}
	return DD_OK;
}

dd_status cli_db_open(const char *target, bool create, struct db **out, dd_error *err)
{
	if (!target)
		target = DB_DEFAULT_PATH;
	if (create && !db_target_is_postgres(target)) {
		dd_status rc = make_parent(target, err);
		if (rc)
			return rc;
	}
	return db_open(target, create ? DB_OPEN_CREATE : 0, out, err);
}
