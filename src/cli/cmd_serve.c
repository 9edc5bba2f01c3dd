/* cmd_serve.c - `doudi serve`: parses the options and runs the HTTP server
 * (src/http/server.h) until SIGTERM or SIGINT. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "core/calendar.h"
#include "core/policy.h"
#include "http/server.h"
#include "service/policy_store.h"
#include "store/db.h"
#include "store/store.h"

static void serve_usage(void)
{
	fprintf(stderr,
		"用法 (usage): doudi serve [--db PATH|postgresql://…] [--host 127.0.0.1] [--port 8080] [options]\n"
		"  启动 HTTP API 服务，收到 SIGTERM/SIGINT 后处理完进行中的请求再退出。\n"
		"  (runs the HTTP API; SIGTERM/SIGINT finish the requests in flight, then stop)\n"
		"  --policy FILE         评估所用政策文件，默认内置 policy/default.json (assessment policy)\n"
		"  --calendar FILE       节假日调休数据，默认内置 policy/calendar-cn.json (working-day calendar)\n"
		"  --threads N           工作线程数，默认 CPU 核数 (worker threads, default: cores)\n"
		"  --max-body BYTES      请求体上限，默认 1048576 (request body limit)\n"
		"  --max-failures N      同一用户名连续登录失败 N 次后锁定，默认 5 (failed logins before a lock)\n"
		"  --ip-max-failures N   同一来源地址登录失败 N 次后锁定，默认 20\n"
		"  --failure-window S    统计失败次数的时间窗口（秒），默认 900\n"
		"  --lock-seconds S      锁定时长（秒），默认 900\n"
		"  --session-idle S      会话空闲超时（秒），默认 1800\n"
		"  --session-max S       会话最长有效期（秒），默认 43200\n"
		"  --timeout S           空闲连接超时（秒），默认 30\n"
		"  --drain S             停止时等待进行中请求的最长时间（秒），默认 30\n"
		"  --cookie-secure       会话 Cookie 加 Secure（经 TLS 反向代理提供服务时）\n"
		"  --web DIR             网页界面的静态文件目录，默认 ./web/dist（存在时）(the built web UI)\n"
		"  --data-dir DIR        上传文件（走访照片）的存放目录，默认 ./data，不在网页目录下 (uploads)\n"
		"  --no-web              只提供 API，不提供网页 (the API only)\n"
		"  --portal-create-per-hour N     每个来源地址每小时最多提交网上申请 N 次，默认 10\n"
		"  --portal-lookup-per-minute N   每个来源地址每分钟最多查询进度 N 次，默认 30\n"
		"  --portal-regions-per-minute N  每个来源地址每分钟最多查询区划 N 次，默认 120\n"
		"  --port 0 选择任一空闲端口，实际端口写在日志中 (port 0: any free port, logged)\n");
}

/* A decimal number in [lo, hi]. */
static bool number(const char *s, unsigned long long lo, unsigned long long hi, unsigned long long *out)
{
	unsigned long long v = 0;
	if (!s || !*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > hi)
			return false;
		v = v * 10 + (unsigned)(*s - '0');
	}
	if (v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

int cmd_serve(int argc, char **argv)
{
	struct server_config cfg;
	server_config_default(&cfg);
	const char *policy_path = NULL, *calendar_path = NULL;
	bool no_web = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		unsigned long long n = 0;
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			serve_usage();
			return EXIT_OK;
		} else if (strcmp(a, "--cookie-secure") == 0) {
			cfg.cookie_secure = true;
			continue;
		} else if (strcmp(a, "--no-web") == 0) {
			no_web = true;
			continue;
		} else if (!v) {
			fprintf(stderr,
				"doudi serve: 无法识别的参数或缺少值 \"%s\" (unknown argument or missing value)\n", a);
			serve_usage();
			return EXIT_BAD_INPUT;
		}
		bool ok = true;
		i++;
		if (strcmp(a, "--db") == 0)
			cfg.db = v;
		else if (strcmp(a, "--web") == 0)
			cfg.web = v;
		else if (strcmp(a, "--data-dir") == 0)
			cfg.data_dir = v;
		else if (strcmp(a, "--portal-create-per-hour") == 0)
			ok = number(v, 1, 10000, &n) && ((cfg.portal_create_per_hour = (unsigned)n), true);
		else if (strcmp(a, "--portal-lookup-per-minute") == 0)
			ok = number(v, 1, 10000, &n) && ((cfg.portal_lookup_per_minute = (unsigned)n), true);
		else if (strcmp(a, "--portal-regions-per-minute") == 0)
			ok = number(v, 1, 10000, &n) && ((cfg.portal_regions_per_minute = (unsigned)n), true);
		else if (strcmp(a, "--policy") == 0)
			policy_path = v;
		else if (strcmp(a, "--calendar") == 0)
			calendar_path = v;
		else if (strcmp(a, "--host") == 0)
			cfg.host = v;
		else if (strcmp(a, "--port") == 0)
			ok = number(v, 0, 65535, &n) && ((cfg.port = (unsigned)n), true);
		else if (strcmp(a, "--threads") == 0)
			ok = number(v, 1, 256, &n) && ((cfg.threads = (unsigned)n), true);
		else if (strcmp(a, "--max-body") == 0)
			ok = number(v, 1024, 1ULL << 30, &n) && ((cfg.max_body = (size_t)n), true);
		else if (strcmp(a, "--max-failures") == 0)
			ok = number(v, 1, 1000, &n) && ((cfg.policy.max_failures = (int)n), true);
		else if (strcmp(a, "--ip-max-failures") == 0)
			ok = number(v, 1, 100000, &n) && ((cfg.policy.ip_max_failures = (int)n), true);
		else if (strcmp(a, "--failure-window") == 0)
			ok = number(v, 1, 86400 * 30, &n) && ((cfg.policy.window = (int)n), true);
		else if (strcmp(a, "--lock-seconds") == 0)
			ok = number(v, 1, 86400 * 30, &n) && ((cfg.policy.lock = (int)n), true);
		else if (strcmp(a, "--session-idle") == 0)
			ok = number(v, 1, 86400 * 30, &n) && ((cfg.policy.idle = (int)n), true);
		else if (strcmp(a, "--session-max") == 0)
			ok = number(v, 1, 86400 * 30, &n) && ((cfg.policy.absolute = (int)n), true);
		else if (strcmp(a, "--timeout") == 0)
			ok = number(v, 1, 3600, &n) && ((cfg.timeout = (unsigned)n), true);
		else if (strcmp(a, "--drain") == 0)
			ok = number(v, 0, 3600, &n) && ((cfg.drain = (unsigned)n), true);
		else {
			fprintf(stderr, "doudi serve: 无法识别的参数 \"%s\" (unknown argument)\n", a);
			serve_usage();
			return EXIT_BAD_INPUT;
		}
		if (!ok) {
			fprintf(stderr, "doudi serve: %s 的值超出范围 (value out of range)\n", a);
			return EXIT_BAD_INPUT;
		}
	}
	struct stat st;
	if (!cfg.data_dir)
		cfg.data_dir = "data";
	if (no_web)
		cfg.web = NULL;
	else if (!cfg.web && stat("web/dist", &st) == 0 && S_ISDIR(st.st_mode))
		cfg.web = "web/dist"; /* the default: the UI built in the working directory */
	struct policy policy;
	if (!cli_load_policy(policy_path, &policy))
		return EXIT_BAD_INPUT;
	cfg.assess_policy = &policy;
	struct calendar cal;
	if (!cli_load_calendar(calendar_path, &cal)) {
		policy_release(&policy);
		return EXIT_BAD_INPUT;
	}
	cfg.calendar = &cal;
	/* the policy in force: the file with the store's entries over it */
	char *text = NULL;
	size_t text_n = 0;
	struct policy_store *ps = NULL;
	struct db *db = NULL;
	dd_error err;
	dd_error_clear(&err);
	struct svc_error e;
	svc_error_clear(&e);
	bool ok = cli_policy_text(policy_path, &text, &text_n);
	/* a store that does not open or is not current: server_run says why */
	if (ok && (cli_db_open(cfg.db, false, &db, &err) || store_check_schema(db, &err))) {
		db_close(db);
		db = NULL;
	}
	if (ok && policy_store_open(&ps, text, text_n, db, &e)) {
		fprintf(stderr, "doudi serve: %s: %s\n", e.field, e.message);
		ok = false;
	}
	db_close(db);
	free(text);
	cfg.policies = ps;
	int rc = !ok ? EXIT_BAD_INPUT : server_run(&cfg) == 0 ? EXIT_OK : EXIT_INTERNAL;
	policy_store_close(ps);
	calendar_release(&cal);
	policy_release(&policy);
	return rc;
}
