/* cmd_import.c - `doudi import households` and `doudi export households`
 * (IMPORT.md): the CLI around service/household_import. */
#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "core/encoding.h"
#include "core/region.h"
#include "service/household_import.h"
#include "store/db.h"
#include "store/store.h"

/* "cli:<login>" for the audit rows. */
static void cli_actor(char *out, size_t n)
{
	struct passwd pw, *res = NULL;
	char buf[1024];
	if (getpwuid_r(getuid(), &pw, buf, sizeof buf, &res) == 0 && res && res->pw_name)
		snprintf(out, n, "cli:%.60s", res->pw_name);
	else
		snprintf(out, n, "cli:uid%u", (unsigned)getuid());
}

static void import_usage(void)
{
	fprintf(stderr,
		"用法 (usage): doudi import households [--db PATH|postgresql://…] [--encoding utf-8|gb18030|auto]\n"
		"                                 [--date YYYY-MM-DD] [--chunk N] [--rejects FILE] FILE.csv\n"
		"  按户导入家庭成员表（每行一人，中文或英文表头）；有误的行写入 FILE.rejects.csv，整户不导入\n"
		"  (imports households, one row per member; rejected rows go to FILE.rejects.csv)\n");
}

static void progress(void *ctx, int64_t households, int64_t persons)
{
	(void)ctx;
	fprintf(stderr, "\r已导入 %" PRId64 " 户 %" PRId64 " 人 (stored)", households, persons);
}

static int import_households(int argc, char **argv)
{
	const char *target = NULL, *path = NULL, *rejects = NULL;
	struct household_import_options opt = {.encoding = TEXT_AUTO, .today = store_today()};
	dd_error err;
	dd_error_clear(&err);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--db") == 0 && v) {
			target = v;
			i++;
		} else if (strcmp(a, "--encoding") == 0 && v) {
			if (!text_encoding_parse(v, &opt.encoding)) {
				fprintf(stderr,
					"--encoding: 只能是 utf-8、gb18030 或 auto (must be utf-8, gb18030 or auto)\n");
				return EXIT_BAD_INPUT;
			}
			i++;
		} else if (strcmp(a, "--date") == 0 && v) {
			if (date_parse(v, strlen(v), &opt.today, &err)) {
				dd_error_prefix(&err, "--date");
				cli_print_error(&err);
				return EXIT_BAD_INPUT;
			}
			i++;
		} else if (strcmp(a, "--chunk") == 0 && v) {
			char *end;
			errno = 0;
			long n = strtol(v, &end, 10);
			if (errno || *end || n < 1 || n > 1000000) {
				fprintf(stderr, "--chunk: 须为 1 到 1000000 的整数 (an integer 1..1000000)\n");
				return EXIT_BAD_INPUT;
			}
			opt.chunk_households = (size_t)n;
			i++;
		} else if (strcmp(a, "--rejects") == 0 && v) {
			rejects = v;
			i++;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			import_usage();
			return EXIT_OK;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "doudi import households: 无法识别的参数 \"%s\" (unknown argument)\n", a);
			import_usage();
			return EXIT_BAD_INPUT;
		} else if (!path) {
			path = a;
		} else {
			fprintf(stderr, "doudi import households: 只能导入一个文件 (one file at a time)\n");
			return EXIT_BAD_INPUT;
		}
	}
	if (!path) {
		import_usage();
		return EXIT_BAD_INPUT;
	}
	char actor[80];
	cli_actor(actor, sizeof actor);
	opt.actor = actor;
	opt.path = path;
	opt.rejects = rejects;
	opt.db_target = target;
	if (isatty(STDERR_FILENO))
		opt.progress = progress;
	struct db *db = NULL;
	struct household_import_result res;
	dd_status rc = cli_db_open(target, false, &db, &err);
	if (!rc)
		rc = store_check_schema(db, &err);
	if (!rc)
		rc = household_import(db, &opt, &res, &err);
	db_close(db);
	if (opt.progress)
		fputc('\n', stderr);
	if (rc) {
		cli_print_error(&err);
		return cli_exit_code(rc);
	}
	struct strbuf sb;
	strbuf_init(&sb, 256);
	if (!res.households && !res.persons && res.unchanged)
		fprintf(stderr, "没有新的内容：%" PRId64 " 户已在库中且内容相同 (nothing new: already stored)\n",
			res.unchanged);
	strbuf_addf(&sb,
		    "{\"households\": %" PRId64 ", \"persons\": %" PRId64 ", \"rejected_rows\": %" PRId64
		    ", \"rejected_households\": %" PRId64 ", \"unchanged\": %" PRId64 ", \"rejects\": ",
		    res.households, res.persons, res.rejected_rows, res.rejected_households, res.unchanged);
	strbuf_add_json_string(&sb, res.rejects, strlen(res.rejects));
	strbuf_addf(&sb, ", \"rows\": %" PRId64 ", \"encoding\": \"%s\", \"chunks\": %" PRId64 "}\n", res.rows,
		    text_encoding_name(res.encoding), res.chunks);
	fputs(sb.failed ? "{}\n" : sb.buf, stdout);
	strbuf_release(&sb);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_INTERNAL;
}

/* --- export --- */

struct out {
	FILE *f;
	struct text_encoder enc;
};

static dd_status file_sink(void *ctx, const char *data, size_t n, dd_error *err)
{
	FILE *f = ctx;
	if (fwrite(data, 1, n, f) != n)
		return dd_fail(err, DD_EIO, "file", "写入失败 (write error: %s)", strerror(errno));
	return DD_OK;
}

static dd_status encode_sink(void *ctx, const char *utf8, size_t n, dd_error *err)
{
	struct out *o = ctx;
	return text_encoder_feed(&o->enc, utf8, n, err);
}

static void export_usage(void)
{
	fprintf(stderr,
		"用法 (usage): doudi export households [--db PATH|postgresql://…] [--encoding utf-8|gb18030]\n"
		"                                 [--region CODE] [FILE|-]\n"
		"  导出在册家庭成员，列与导入相同（英文表头） (exports the stored members, IMPORT.md columns)\n");
}

static int export_households(int argc, char **argv)
{
	const char *target = NULL, *path = NULL;
	enum text_encoding enc = TEXT_UTF8;
	char scope[REGION_TEXT_MAX] = "";
	dd_error err;
	dd_error_clear(&err);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--db") == 0 && v) {
			target = v;
			i++;
		} else if (strcmp(a, "--encoding") == 0 && v) {
			if (!text_encoding_parse(v, &enc) || enc == TEXT_AUTO) {
				fprintf(stderr, "--encoding: 只能是 utf-8 或 gb18030 (must be utf-8 or gb18030)\n");
				return EXIT_BAD_INPUT;
			}
			i++;
		} else if (strcmp(a, "--region") == 0 && v) {
			if (region_parse(v, strlen(v), 2, scope, &err)) {
				dd_error_prefix(&err, "--region");
				cli_print_error(&err);
				return EXIT_BAD_INPUT;
			}
			i++;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			export_usage();
			return EXIT_OK;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "doudi export households: 无法识别的参数 \"%s\" (unknown argument)\n", a);
			export_usage();
			return EXIT_BAD_INPUT;
		} else if (!path) {
			path = a;
		} else {
			export_usage();
			return EXIT_BAD_INPUT;
		}
	}
	struct db *db = NULL;
	dd_status rc = cli_db_open(target, false, &db, &err);
	if (!rc)
		rc = store_check_schema(db, &err);
	if (rc) {
		db_close(db);
		cli_print_error(&err);
		return cli_exit_code(rc);
	}
	bool to_stdout = !path || strcmp(path, "-") == 0;
	char part[4200];
	struct out o = {.f = stdout};
	if (!to_stdout) {
		snprintf(part, sizeof part, "%s.part", path);
		o.f = fopen(part, "wb");
		if (!o.f) {
			fprintf(stderr, "file: 无法创建 %s (cannot create: %s)\n", part, strerror(errno));
			db_close(db);
			return EXIT_BAD_INPUT;
		}
	}
	int64_t persons = 0;
	rc = text_encoder_init(&o.enc, enc, false, file_sink, o.f, &err);
	if (!rc) {
		rc = household_export(db, scope, encode_sink, &o, &persons, &err);
		if (!rc)
			rc = text_encoder_finish(&o.enc, &err);
		text_encoder_release(&o.enc);
	}
	db_close(db);
	if (fflush(o.f) != 0 && !rc)
		rc = dd_fail(&err, DD_EIO, "file", "写入失败 (write error: %s)", strerror(errno));
	if (!to_stdout) {
		if (fclose(o.f) != 0 && !rc)
			rc = dd_fail(&err, DD_EIO, "file", "写入失败 (write error: %s)", strerror(errno));
		if (!rc && rename(part, path) != 0)
			rc = dd_fail(&err, DD_EIO, "file", "无法写入 %s (cannot rename: %s)", path, strerror(errno));
		if (rc)
			remove(part);
	}
	if (rc) {
		cli_print_error(&err);
		return cli_exit_code(rc) == EXIT_BAD_INPUT ? EXIT_INTERNAL : cli_exit_code(rc);
	}
	fprintf(stderr, "已导出 %" PRId64 " 人 (exported persons)\n", persons);
	return EXIT_OK;
}

int cmd_import(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "households") == 0)
		return import_households(argc - 1, argv + 1);
	fprintf(stderr, "doudi import: 缺少或未知的对象，目前支持 households (missing or unknown: households)\n");
	import_usage();
	return argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) ? EXIT_OK : EXIT_BAD_INPUT;
}

int cmd_export(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "households") == 0)
		return export_households(argc - 1, argv + 1);
	fprintf(stderr, "doudi export: 缺少或未知的对象，目前支持 households (missing or unknown: households)\n");
	export_usage();
	return argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) ? EXIT_OK : EXIT_BAD_INPUT;
}
