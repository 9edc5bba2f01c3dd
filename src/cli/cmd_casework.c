/* cmd_casework.c - `doudi casework`: the periodic-review scheduler, the
 * close-relatives register, and the procedure table (docs/casework.md). The
 * store commands go through service/casework, so the CLI obeys the same
 * role and region rules as the API (acting as the --as account). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/calendar.h"
#include "core/casework.h"
#include "core/policy.h"
#include "core/strbuf.h"
#include "service/accounts.h"
#include "service/casework.h"
#include "service/policy_store.h"
#include "store/db.h"

static void casework_usage(void)
{
	fprintf(stderr,
		"用法 (usage):\n"
		"  doudi casework reviews [--db DB] [--as USER] [--date YYYY-MM-DD] [--policy FILE] [--calendar FILE]\n"
		"      为到期的低保、特困决定创建定期复核案件，可重复运行（每个决定只建一次）；不给 --as 时\n"
		"      作为调度任务处理全部地区 (create the review cases that are due; idempotent)\n"
		"  doudi casework relatives add [--db DB] --as USER --id-number ID --staff-name 姓名 --relation 关系\n"
		"      [--name 姓名] [--staff-post 职务] [--region CODE] [--note 备注]\n"
		"      登记工作人员、村干部的近亲属（近亲属备案），与 API 相同的权限规则\n"
		"  doudi casework table\n"
		"      输出案件流程表（状态、操作、角色、期限），即 docs/casework.md 的生成部分\n");
}

struct opts {
	const char *db, *as, *date, *policy, *calendar;
	struct close_relative_new rel;
};

static bool parse_opts(int argc, char **argv, int from, struct opts *o)
{
	for (int i = from; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v) {
			fprintf(stderr,
				"doudi casework: 无法识别的参数或缺少值 \"%s\" (unknown argument or missing value)\n",
				a);
			return false;
		}
		i++;
		static const struct {
			const char *name;
			size_t off;
		} names[] = {
		    {"--db", offsetof(struct opts, db)},
		    {"--as", offsetof(struct opts, as)},
		    {"--date", offsetof(struct opts, date)},
		    {"--policy", offsetof(struct opts, policy)},
		    {"--calendar", offsetof(struct opts, calendar)},
		    {"--id-number", offsetof(struct opts, rel.id_number)},
		    {"--name", offsetof(struct opts, rel.name)},
		    {"--staff-name", offsetof(struct opts, rel.staff_name)},
		    {"--staff-post", offsetof(struct opts, rel.staff_post)},
		    {"--relation", offsetof(struct opts, rel.relation)},
		    {"--region", offsetof(struct opts, rel.region)},
		    {"--note", offsetof(struct opts, rel.note)},
		};
		size_t k = 0;
		for (; k < sizeof names / sizeof names[0]; k++)
			if (strcmp(a, names[k].name) == 0)
				break;
		if (k == sizeof names / sizeof names[0]) {
			fprintf(stderr, "doudi casework: 无法识别的参数 \"%s\" (unknown argument)\n", a);
			return false;
		}
		memcpy((char *)o + names[k].off, &v, sizeof v);
	}
	return true;
}

static int reviews(struct opts *o)
{
	dd_error err;
	dd_error_clear(&err);
	struct casework_env env = {.today = casework_today()};
	if (o->date && date_parse(o->date, strlen(o->date), &env.today, &err)) {
		fprintf(stderr, "--date: %s\n", err.message);
		return EXIT_BAD_INPUT;
	}
	struct calendar cal;
	if (!cli_load_calendar(o->calendar, &cal))
		return EXIT_BAD_INPUT;
	env.cal = &cal;
	struct db *db = NULL;
	struct svc_error e;
	svc_error_clear(&e);
	struct principal actor;
	int code = EXIT_OK;
	int64_t created = 0;
	/* the policy in force: the file with the store's entries over it, as the server uses */
	char *text = NULL;
	size_t text_n = 0;
	struct policy_store *ps = NULL;
	if (!cli_policy_text(o->policy, &text, &text_n)) {
		calendar_release(&cal);
		return EXIT_BAD_INPUT;
	}
	dd_status rc = cli_db_open(o->db, false, &db, &err);
	enum svc_kind k = SVC_OK;
	if (rc) {
		cli_print_error(&err);
		code = cli_exit_code(rc);
	} else if ((k = policy_store_open(&ps, text, text_n, db, &e)) ||
		   (o->as && (k = accounts_principal(db, o->as, &actor, &e)))) {
		code = cli_svc_fail("doudi casework", k, &e);
	} else {
		env.policy = policy_store_acquire(ps);
		k = casework_reviews_run(db, &env, o->as ? &actor : NULL, env.today, &created, &e);
		policy_store_release(ps, env.policy);
		if (k) {
			code = cli_svc_fail("doudi casework", k, &e);
		} else {
			char d[DATE_TEXT_MAX];
			date_format(env.today, d);
			printf("{\"date\":\"%s\",\"created\":%lld}\n", d, (long long)created);
		}
	}
	policy_store_close(ps);
	free(text);
	db_close(db);
	calendar_release(&cal);
	return code;
}

static int relatives_add(struct opts *o)
{
	if (!o->as) {
		fprintf(stderr, "doudi casework relatives add: 需要 --as (--as is required)\n");
		return EXIT_BAD_INPUT;
	}
	dd_error err;
	dd_error_clear(&err);
	struct db *db = NULL;
	struct svc_error e;
	svc_error_clear(&e);
	struct principal actor;
	int64_t id = 0;
	int code = EXIT_OK;
	enum svc_kind k = SVC_OK;
	dd_status rc = cli_db_open(o->db, false, &db, &err);
	if (rc) {
		cli_print_error(&err);
		code = cli_exit_code(rc);
	} else if ((k = accounts_principal(db, o->as, &actor, &e)) ||
		   (k = casework_relative_add(db, &actor, &o->rel, &id, &e))) {
		code = cli_svc_fail("doudi casework", k, &e);
	} else {
		printf("{\"id\":%lld}\n", (long long)id);
	}
	db_close(db);
	return code;
}

int cmd_casework(int argc, char **argv)
{
	struct opts o = {0};
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		casework_usage();
		return argc < 2 ? EXIT_BAD_INPUT : EXIT_OK;
	}
	if (strcmp(argv[1], "table") == 0) {
		struct strbuf sb;
		strbuf_init(&sb, 8192);
		casework_describe(&sb);
		if (sb.failed) {
			strbuf_release(&sb);
			return EXIT_INTERNAL;
		}
		fwrite(sb.buf, 1, sb.len, stdout);
		strbuf_release(&sb);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "reviews") == 0) {
		if (!parse_opts(argc, argv, 2, &o)) {
			casework_usage();
			return EXIT_BAD_INPUT;
		}
		return reviews(&o);
	}
	if (strcmp(argv[1], "relatives") == 0 && argc >= 3 && strcmp(argv[2], "add") == 0) {
		if (!parse_opts(argc, argv, 3, &o)) {
			casework_usage();
			return EXIT_BAD_INPUT;
		}
		return relatives_add(&o);
	}
	casework_usage();
	return EXIT_BAD_INPUT;
}
