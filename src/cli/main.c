/* main.c - the doudi command: dispatch through one table (git's habit). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/calendar.h"
#include "core/policy.h"
#include "store/store.h"

extern const char dd_default_policy[];
extern const char dd_default_policy_end[];
extern const char dd_default_calendar[];
extern const char dd_default_calendar_end[];

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
} commands[] = {
    {"assess", cmd_assess, "评估家庭是否符合低保、特困、低保边缘 (assess households, ASSESS.md)"},
    {"init", cmd_init, "创建或升级数据库并创建首个管理员 (create or migrate the store, bootstrap admin)"},
    {"audit", cmd_audit, "校验审计链 (audit verify: check the hash-chained audit log)"},
    {"import", cmd_import, "按户导入家庭成员表 (import households: CSV, UTF-8/GB18030, IMPORT.md)"},
    {"export", cmd_export, "导出在册家庭成员 (export households, IMPORT.md columns)"},
    {"backup", cmd_backup, "在线备份 SQLite 数据库 (online backup of the SQLite store)"},
    {"user", cmd_user, "按权限创建账户 (user add: create a staff account, same rules as the API)"},
    {"casework", cmd_casework,
     "案件：定期复核、近亲属备案、流程表 (casework: reviews, close relatives, the procedure table)"},
    {"policy", cmd_policy, "政策参数：查看生效值、在数据库中新增 (policy list|set: file + store)"},
    {"payroll", cmd_payroll, "发放：按区县生成月度发放名册 (payroll generate: monthly batches per county)"},
    {"match", cmd_match, "数据比对：其他部门数据与监测对象比对，生成预警 (match datasets, raise alerts)"},
    {"stats", cmd_stats, "月度统计：生成统计快照，输出统计表 (stats build|show)"},
    {"verify", cmd_verify, "家庭经济状况核对：清除过期核对数据 (verify purge)"},
    {"children", cmd_children,
     "儿童基本生活保障：月度复核终止月份和保障标准 (children review: exits and standard rises)"},
    {"monitor", cmd_monitor, "低收入人口监测：导入监测对象名册 (monitor register-import)"},
    {"serve", cmd_serve, "启动 HTTP API 服务 (run the HTTP API server)"},
};

static void usage(FILE *f)
{
	fprintf(f, "用法 (usage): doudi <command> [options]\n\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
}

dd_status cli_read_file(const char *path, size_t limit, char **out, size_t *len, dd_error *err)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!f)
		return dd_fail(err, DD_EIO, path, "无法打开文件 (cannot open file)");
	size_t cap = 64 * 1024, n = 0;
	char *buf = malloc(cap + 1);
	dd_status rc = DD_OK;
	while (buf) {
		if (n == cap) {
			if (cap >= limit) {
				rc = dd_fail(err, DD_ELIMIT, path, "文件超过 %zu 字节上限 (file too large)", limit);
				break;
			}
			cap = cap * 2 > limit ? limit : cap * 2;
			char *p = realloc(buf, cap + 1);
			if (!p) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = p;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (!buf && !rc)
		rc = dd_fail(err, DD_ENOMEM, path, "内存不足 (out of memory)");
	if (!rc && ferror(f))
		rc = dd_fail(err, DD_EIO, path, "读取失败 (read error)");
	if (f != stdin)
		fclose(f);
	if (rc) {
		free(buf);
		return rc;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return DD_OK;
}

void cli_print_error(const dd_error *err)
{
	fprintf(stderr, "%s: %s\n", err->field[0] ? err->field : "$", err->message);
}

bool cli_parse_id(const char *name, const char *s, int64_t min, int64_t *out)
{
	char *end = NULL;
	long long v = s ? strtoll(s, &end, 10) : 0;
	if (!s || !*s || *end || v < min) {
		fprintf(stderr,
			min > 0 ? "%s: 须为正整数 (must be a positive integer)\n"
				: "%s: 须为非负整数 (must be a non-negative integer)\n",
			name);
		return false;
	}
	*out = v;
	return true;
}

/* DOUDI_DEMO_CLOCK_DAYS=-N: the program runs N days in the past (the demo
 * builds its history through the real rules; see docs/operations.md). */
static bool demo_clock(void)
{
	const char *s = getenv("DOUDI_DEMO_CLOCK_DAYS");
	if (!s || !*s)
		return true;
	int days = 0;
	const char *p = s;
	if (*p == '-')
		p++;
	for (; *p >= '0' && *p <= '9' && days <= 3650; p++)
		days = days * 10 + (*p - '0');
	if (*p || p == s || (s[0] == '-' && p == s + 1) || days > 3650 || (s[0] != '-' && days != 0)) {
		fprintf(stderr, "DOUDI_DEMO_CLOCK_DAYS 应为 -3650 到 0 的整数 (must be an integer in -3650..0)\n");
		return false;
	}
	store_clock_shift_days(-days);
	if (days)
		fprintf(stderr, "doudi: 演示时钟：比实际日期早 %d 天 (demo clock: %d days in the past)\n", days, days);
	return true;
}

int main(int argc, char **argv)
{
	if (!demo_clock())
		return EXIT_BAD_INPUT;
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_BAD_INPUT : EXIT_OK;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "doudi: 未知命令 \"%s\" (unknown command)\n", argv[1]);
	usage(stderr);
	return EXIT_BAD_INPUT;
}

/* A data file read by load (path NULL: the copy built into the program,
 * named default_name in messages). False after printing why. */
static bool load_data(const char *path, size_t max, const char *embedded, size_t embedded_n, const char *default_name,
		      dd_status (*load)(void *out, const char *text, size_t n, dd_error *err), void *out)
{
	dd_error err;
	dd_error_clear(&err);
	dd_status rc;
	if (path) {
		char *text;
		size_t n;
		if ((rc = cli_read_file(path, max, &text, &n, &err))) {
			cli_print_error(&err);
			return false;
		}
		rc = load(out, text, n, &err);
		free(text);
	} else {
		rc = load(out, embedded, embedded_n, &err);
	}
	if (rc) {
		fprintf(stderr, "%s: %s: %s\n", path ? path : default_name, err.field, err.message);
		return false;
	}
	return true;
}

static dd_status load_policy(void *out, const char *text, size_t n, dd_error *err)
{
	return policy_load(out, text, n, err);
}

static dd_status load_calendar(void *out, const char *text, size_t n, dd_error *err)
{
	return calendar_load(out, text, n, err);
}

bool cli_load_policy(const char *path, struct policy *out)
{
	return load_data(path, 64u * 1024 * 1024, dd_default_policy,
			 (size_t)(dd_default_policy_end - dd_default_policy), "policy/default.json", load_policy, out);
}

bool cli_policy_text(const char *path, char **text, size_t *n)
{
	dd_error err;
	dd_error_clear(&err);
	if (path) {
		if (cli_read_file(path, 64u * 1024 * 1024, text, n, &err)) {
			cli_print_error(&err);
			return false;
		}
		return true;
	}
	*n = (size_t)(dd_default_policy_end - dd_default_policy);
	*text = malloc(*n ? *n : 1);
	if (!*text) {
		fprintf(stderr, "内存不足 (out of memory)\n");
		return false;
	}
	memcpy(*text, dd_default_policy, *n);
	return true;
}

bool cli_load_calendar(const char *path, struct calendar *out)
{
	return load_data(path, 16u * 1024 * 1024, dd_default_calendar,
			 (size_t)(dd_default_calendar_end - dd_default_calendar), "policy/calendar-cn.json",
			 load_calendar, out);
}
