/* cmd_stats.c - doudi stats: build the monthly statistics snapshot, and
 * print or write the table (JSON, CSV or XLSX), through service/statistics
 * as the API does. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/calendar.h"
#include "core/policy.h"
#include "core/strbuf.h"
#include "service/accounts.h"
#include "service/policy_store.h"
#include "service/statistics.h"
#include "store/db.h"

static void usage(void)
{
	fprintf(stderr, "用法 (usage):\n"
			"  doudi stats build [--db DB] [--as USER] [--region CODE] --period YYYY-MM [--policy FILE] "
			"[--calendar FILE]\n"
			"  doudi stats show  [--db DB] [--as USER] [--region CODE] --period YYYY-MM [--format "
			"json|csv|xlsx] [--out FILE]\n"
			"生成月度统计表（快照），或输出统计表。--as 省略时以系统身份运行（全部地区）。\n");
}

struct opts {
	const char *db, *as, *region, *period, *policy, *calendar, *format, *out;
};

static bool parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct {
		const char *name;
		size_t off;
	} names[] = {
	    {"--db", offsetof(struct opts, db)},	 {"--as", offsetof(struct opts, as)},
	    {"--region", offsetof(struct opts, region)}, {"--period", offsetof(struct opts, period)},
	    {"--policy", offsetof(struct opts, policy)}, {"--calendar", offsetof(struct opts, calendar)},
	    {"--format", offsetof(struct opts, format)}, {"--out", offsetof(struct opts, out)},
	};
	for (int i = 2; i < argc; i++) {
		size_t k = 0;
		for (; k < sizeof names / sizeof names[0]; k++)
			if (strcmp(argv[i], names[k].name) == 0)
				break;
		if (k == sizeof names / sizeof names[0] || i + 1 >= argc) {
			fprintf(stderr,
				"doudi stats: 无法识别的参数或缺少值 \"%s\" (unknown argument or missing value)\n",
				argv[i]);
			return false;
		}
		memcpy((char *)o + names[k].off, &argv[++i], sizeof(const char *));
	}
	return true;
}

static int build(struct db *db, const struct principal *actor, const struct opts *o)
{
	struct calendar cal;
	if (!cli_load_calendar(o->calendar, &cal))
		return EXIT_BAD_INPUT;
	char *text = NULL;
	size_t text_n = 0;
	if (!cli_policy_text(o->policy, &text, &text_n)) {
		calendar_release(&cal);
		return EXIT_BAD_INPUT;
	}
	struct svc_error e;
	svc_error_clear(&e);
	struct policy_store *ps = NULL;
	struct strbuf out;
	strbuf_init(&out, 256);
	enum svc_kind k = policy_store_open(&ps, text, text_n, db, &e);
	if (!k) {
		struct stats_env env = {.policy = policy_store_acquire(ps), .cal = &cal};
		k = stats_build(db, &env, actor, o->region, o->period, &out, &e);
		policy_store_release(ps, env.policy);
	}
	policy_store_close(ps);
	free(text);
	calendar_release(&cal);
	int code = k ? cli_svc_fail("doudi stats", e.kind, &e) : EXIT_OK;
	if (!k)
		printf("%s\n", out.buf ? out.buf : "{}");
	strbuf_release(&out);
	return code;
}

static int show(struct db *db, const struct principal *actor, const struct opts *o)
{
	struct svc_error e;
	svc_error_clear(&e);
	struct strbuf out;
	strbuf_init(&out, 4096);
	char name[96], display[256];
	enum svc_kind k;
	if (!o->format || strcmp(o->format, "json") == 0)
		k = stats_monthly_get(db, actor, o->region, o->period, &out, &e);
	else if (strcmp(o->format, "csv") == 0 || strcmp(o->format, "xlsx") == 0)
		k = stats_monthly_export(db, actor, o->region, o->period,
					 strcmp(o->format, "csv") == 0 ? STATS_CSV : STATS_XLSX, &out, name, display,
					 &e);
	else {
		fprintf(stderr, "format: 须为 json、csv 或 xlsx (bad format)\n");
		strbuf_release(&out);
		return EXIT_BAD_INPUT;
	}
	int code = EXIT_OK;
	if (k)
		code = cli_svc_fail("doudi stats", e.kind, &e);
	else if (out.failed)
		code = EXIT_INTERNAL;
	else if (o->out) {
		FILE *f = fopen(o->out, "wb");
		if (!f || fwrite(out.buf, 1, out.len, f) != out.len || fclose(f) != 0) {
			fprintf(stderr, "out: 无法写入 %s (cannot write)\n", o->out);
			code = EXIT_INTERNAL;
		}
	} else if (fwrite(out.buf, 1, out.len, stdout) != out.len) {
		code = EXIT_INTERNAL;
	}
	if (!k && !o->out && (!o->format || strcmp(o->format, "json") == 0))
		putchar('\n');
	strbuf_release(&out);
	return code;
}

int cmd_stats(int argc, char **argv)
{
	struct opts o = {0};
	if (argc < 2 || (strcmp(argv[1], "build") && strcmp(argv[1], "show"))) {
		usage();
		return argc < 2 || strcmp(argv[1], "--help") ? EXIT_BAD_INPUT : EXIT_OK;
	}
	if (!parse_opts(argc, argv, &o)) {
		usage();
		return EXIT_BAD_INPUT;
	}
	dd_error err;
	dd_error_clear(&err);
	struct db *db = NULL;
	dd_status rc = cli_db_open(o.db, false, &db, &err);
	if (rc) {
		cli_print_error(&err);
		return cli_exit_code(rc);
	}
	struct svc_error e;
	svc_error_clear(&e);
	struct principal actor;
	int code;
	if (o.as && accounts_principal(db, o.as, &actor, &e))
		code = cli_svc_fail("doudi stats", e.kind, &e);
	else if (strcmp(argv[1], "build") == 0)
		code = build(db, o.as ? &actor : NULL, &o);
	else
		code = show(db, o.as ? &actor : NULL, &o);
	db_close(db);
	return code;
}
