/* cmd_payroll.c - `doudi payroll`: generate a month's payroll batches (the
 * scheduler's job, or as a county account with --as). Goes through
 * service/payroll, so the CLI obeys the same rules as the API. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "cli.h"
#include "core/money.h"
#include "service/accounts.h"
#include "service/payroll.h"
#include "store/db.h"

static void payroll_usage(void)
{
	fprintf(stderr, "用法 (usage):\n"
			"  doudi payroll generate [--db DB] --region CODE --period YYYY-MM [--programme dibao|tekun]\n"
			"      [--as USER]\n"
			"      按区县生成当月发放名册（地区为市或省时逐个区县生成）；可重复运行：已生成的月份\n"
			"      只在决定有变化时生成调整批次。每个区县、项目输出一行 JSON，最后一行为合计\n"
			"      (generate the month's payroll per county; idempotent; one JSON line per county and\n"
			"      programme, then a summary line)\n");
}

struct totals {
	int64_t batches, payments, unchanged;
	fen_t total, month_total;
	bool quiet;
};

static void print_one(const struct payroll_generated *g, void *ctx)
{
	struct totals *t = ctx;
	char total[MONEY_TEXT_MAX], month_total[MONEY_TEXT_MAX];
	money_format(g->total, total);
	money_format(g->month_total, month_total);
	t->batches += g->batch_id != 0;
	t->unchanged += g->batch_id == 0;
	t->payments += g->payments;
	t->total += g->total; /* int64 fen: 9.2e16 yuan, beyond any payroll */
	t->month_total += g->month_total;
	if (!t->quiet)
		printf("{\"region\":\"%s\",\"programme\":\"%s\",\"period\":\"%s\",\"result\":\"%s\",\"batch_id\":%lld,"
		       "\"payments\":%lld,\"total\":\"%s\",\"month_total\":\"%s\"}\n",
		       g->county, g->programme, g->period, g->kind, (long long)g->batch_id, (long long)g->payments,
		       total, month_total);
}

/* The process's anonymous memory now (kB, Linux /proc), apart from the
 * store file's mapped pages that max_rss counts; -1 when unknown. */
static long rss_anon_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return -1;
	char line[256];
	long kb = -1;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "RssAnon:", 8) == 0) {
			kb = strtol(line + 8, NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}

int cmd_payroll(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		payroll_usage();
		return argc < 2 ? EXIT_BAD_INPUT : EXIT_OK;
	}
	if (strcmp(argv[1], "generate") != 0)
		return cmd_payroll_more(argc, argv);
	const char *db_path = NULL, *region = NULL, *period = NULL, *programme = NULL, *as = NULL;
	struct totals t = {0};
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--quiet") == 0) {
			t.quiet = true;
			continue;
		}
		const char **slot = strcmp(a, "--db") == 0	    ? &db_path
				    : strcmp(a, "--region") == 0    ? &region
				    : strcmp(a, "--period") == 0    ? &period
				    : strcmp(a, "--programme") == 0 ? &programme
				    : strcmp(a, "--as") == 0	    ? &as
								    : NULL;
		if (!slot || !v) {
			fprintf(stderr,
				"doudi payroll: 无法识别的参数或缺少值 \"%s\" (unknown argument or missing value)\n",
				a);
			return EXIT_BAD_INPUT;
		}
		*slot = v;
		i++;
	}
	if (!region || !period) {
		fprintf(stderr,
			"doudi payroll generate: 需要 --region 和 --period (--region and --period are required)\n");
		return EXIT_BAD_INPUT;
	}
	dd_error err;
	dd_error_clear(&err);
	struct db *db = NULL;
	dd_status rc = cli_db_open(db_path, false, &db, &err);
	if (!rc) /* a batch writer: the bulk session's larger page cache (db.h) */
		rc = db_tune_bulk(db, &err);
	if (rc) {
		cli_print_error(&err);
		db_close(db);
		return cli_exit_code(rc);
	}
	struct svc_error e;
	svc_error_clear(&e);
	struct principal actor;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	enum svc_kind k = as ? accounts_principal(db, as, &actor, &e) : SVC_OK;
	if (!k)
		k = payroll_generate(db, as ? &actor : NULL, region, programme, period, print_one, &t, &e);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long anon = rss_anon_kb(); /* with the store still open: its page cache counts */
	db_close(db);
	if (k) {
		fprintf(stderr, "%s: %s (%s)\n", e.field[0] ? e.field : "doudi payroll", e.message, e.code);
		return k == SVC_INTERNAL || k == SVC_UNAVAILABLE ? EXIT_INTERNAL : EXIT_BAD_INPUT;
	}
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	char total[MONEY_TEXT_MAX], month_total[MONEY_TEXT_MAX];
	money_format(t.total, total);
	money_format(t.month_total, month_total);
	printf("{\"summary\":true,\"period\":\"%s\",\"batches\":%lld,\"unchanged\":%lld,\"payments\":%lld,"
	       "\"total\":\"%s\",\"month_total\":\"%s\",\"seconds\":%.3f,\"max_rss_kb\":%ld,\"rss_anon_kb\":%ld}\n",
	       period, (long long)t.batches, (long long)t.unchanged, (long long)t.payments, total, month_total,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, ru.ru_maxrss, anon);
	return EXIT_OK;
}
