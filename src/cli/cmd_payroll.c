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
#include "service/bank_file.h"
#include "service/payroll.h"
#include "store/db.h"

static void payroll_usage(void)
{
	fprintf(stderr, "用法 (usage):\n"
			"  doudi payroll generate [--db DB] --region CODE --period YYYY-MM [--programme dibao|tekun|children]\n"
			"      [--as USER]\n"
			"      按区县生成当月发放名册（地区为市或省时逐个区县生成）；可重复运行：已生成的月份\n"
			"      只在决定有变化时生成调整批次。每个区县、项目输出一行 JSON，最后一行为合计\n"
			"      (generate the month's payroll per county; idempotent; one JSON line per county and\n"
			"      programme, then a summary line)\n"
			"  doudi payroll bank-files [--db DB] --batch N --out DIR [--as USER]\n"
			"      为已生成银行文件的批次按代发银行写出银行文件（模板决定列、表头、编码和格式）；\n"
			"      没有模板的银行列为错误 (one bank file per paying bank into DIR)\n"
			"  doudi payroll return [--db DB] --batch N [--bank CODE] [--as USER] FILE\n"
			"      导入银行回盘文件：成功的款项记为已到账，失败的记为银行退回；同一文件再次导入不产生变化\n"
			"      (import the bank's return file; the same file twice changes nothing)\n");
}

/* The options of bank-files and return: --db, --batch, --out, --bank, --as
 * and one positional FILE. */
struct bank_args {
	const char *db, *out, *bank, *as, *file;
	int64_t batch;
};

static int bank_args_parse(int argc, char **argv, struct bank_args *a)
{
	memset(a, 0, sizeof *a);
	for (int i = 2; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (o[0] != '-' && !a->file) {
			a->file = o;
			continue;
		}
		const char *batch = NULL;
		const char **slot = strcmp(o, "--db") == 0	? &a->db
				    : strcmp(o, "--out") == 0	? &a->out
				    : strcmp(o, "--bank") == 0	? &a->bank
				    : strcmp(o, "--as") == 0	? &a->as
				    : strcmp(o, "--batch") == 0 ? &batch
								: NULL;
		if (!slot || !v) {
			fprintf(stderr,
				"doudi payroll: 无法识别的参数或缺少值 \"%s\" (unknown argument or missing value)\n",
				o);
			return EXIT_BAD_INPUT;
		}
		*slot = v;
		i++;
		if (batch && !cli_parse_id("--batch", batch, 1, &a->batch))
			return EXIT_BAD_INPUT;
	}
	if (!a->batch) {
		fprintf(stderr, "doudi payroll %s: 需要 --batch (--batch is required)\n", argv[1]);
		return EXIT_BAD_INPUT;
	}
	return EXIT_OK;
}

static int payroll_bank_files(struct db *db, const struct principal *actor, const struct bank_args *a)
{
	struct svc_error e;
	svc_error_clear(&e);
	struct bank_file_entry *items = NULL;
	size_t n = 0;
	if (bank_files_collect(db, actor, a->batch, &items, &n, &e))
		return cli_svc_fail("doudi payroll", e.kind, &e);
	int rc = EXIT_OK;
	for (size_t i = 0; i < n; i++) {
		char total[MONEY_TEXT_MAX];
		money_format(items[i].total, total);
		if (!items[i].code[0]) {
			fprintf(stderr,
				"代发银行“%s”没有银行文件模板，%lld 笔发放（%s 元）无法生成银行文件 (NO_TEMPLATE)\n",
				items[i].bank_name[0] ? items[i].bank_name : "（未登记）", (long long)items[i].count,
				total);
			rc = EXIT_BAD_INPUT;
			continue;
		}
		struct bank_file f = {0};
		strbuf_init(&f.body, 64 * 1024);
		if (bank_file_render(db, actor, a->batch, items[i].code, &f, &e)) {
			strbuf_release(&f.body);
			free(items);
			return cli_svc_fail("doudi payroll", e.kind, &e);
		}
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", a->out, f.file_name);
		FILE *fp = fopen(path, "wb");
		bool ok = fp && fwrite(f.body.buf ? f.body.buf : "", 1, f.body.len, fp) == f.body.len;
		if (fp && fclose(fp) != 0)
			ok = false;
		strbuf_release(&f.body);
		if (!ok) {
			fprintf(stderr, "%s: 无法写入文件 (cannot write)\n", path);
			free(items);
			return EXIT_INTERNAL;
		}
		printf("{\"bank_code\":\"%s\",\"file\":\"%s\",\"count\":%lld,\"total\":\"%s\"}\n", items[i].code, path,
		       (long long)items[i].count, total);
	}
	free(items);
	return rc;
}

static int payroll_return(struct db *db, const struct principal *actor, const struct bank_args *a)
{
	FILE *fp = fopen(a->file, "rb");
	if (!fp) {
		fprintf(stderr, "%s: 无法打开文件 (cannot open)\n", a->file);
		return EXIT_BAD_INPUT;
	}
	struct strbuf data, out;
	strbuf_init(&data, 64 * 1024);
	strbuf_init(&out, 1024);
	char buf[65536];
	size_t got;
	while ((got = fread(buf, 1, sizeof buf, fp)) > 0 && data.len < 256u * 1024 * 1024)
		strbuf_add(&data, buf, got);
	bool bad = ferror(fp) || data.failed || data.len >= 256u * 1024 * 1024;
	fclose(fp);
	if (bad) {
		strbuf_release(&data);
		fprintf(stderr, "%s: 无法读取文件或文件过大 (cannot read, or too large)\n", a->file);
		return EXIT_BAD_INPUT;
	}
	const char *base = strrchr(a->file, '/');
	struct svc_error e;
	svc_error_clear(&e);
	bool duplicate = false;
	int rc = EXIT_OK;
	if (bank_return_import(db, actor, a->batch, a->bank, base ? base + 1 : a->file, data.buf ? data.buf : "",
			       data.len, &out, &duplicate, &e))
		rc = cli_svc_fail("doudi payroll", e.kind, &e);
	else
		printf("%s\n", out.buf ? out.buf : "");
	strbuf_release(&data);
	strbuf_release(&out);
	return rc;
}

static int payroll_bank(int argc, char **argv)
{
	struct bank_args a;
	int rc = bank_args_parse(argc, argv, &a);
	if (rc)
		return rc;
	bool files = strcmp(argv[1], "bank-files") == 0;
	if (files ? !a.out || a.file : !a.file || a.out) {
		fprintf(stderr, files ? "doudi payroll bank-files: 需要 --out DIR (--out is required)\n"
				      : "doudi payroll return: 需要回盘文件 FILE (the return file is required)\n");
		return EXIT_BAD_INPUT;
	}
	dd_error err;
	dd_error_clear(&err);
	struct db *db = NULL;
	dd_status st = cli_db_open(a.db, false, &db, &err);
	if (st) {
		cli_print_error(&err);
		return cli_exit_code(st);
	}
	struct svc_error e;
	svc_error_clear(&e);
	struct principal actor;
	if (a.as && accounts_principal(db, a.as, &actor, &e))
		rc = cli_svc_fail("doudi payroll", e.kind, &e);
	else
		rc = files ? payroll_bank_files(db, a.as ? &actor : NULL, &a)
			   : payroll_return(db, a.as ? &actor : NULL, &a);
	db_close(db);
	return rc;
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
		cmd_payroll_more_usage();
		cmd_payroll_aid_usage();
		return argc < 2 ? EXIT_BAD_INPUT : EXIT_OK;
	}
	if (strcmp(argv[1], "bank-files") == 0 || strcmp(argv[1], "return") == 0)
		return payroll_bank(argc, argv);
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
	if (k)
		return cli_svc_fail("doudi payroll", k, &e);
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
