/* cmd_policy.c - `doudi policy list|set`: the policy parameters in force
 * (the file with the store's entries over it) and new entries in the store,
 * through service/policy_store as the --as account: the same rules as GET
 * and POST /api/v1/policy/parameters. A running server picks up an entry
 * set here at its next start (or its own next POST). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/json.h"
#include "service/accounts.h"
#include "service/casework.h"
#include "service/policy_store.h"
#include "store/db.h"

static void policy_usage(void)
{
	fprintf(stderr, "用法 (usage):\n"
			"  doudi policy list [--db DB] --as USER [--region CODE] [--date YYYY-MM-DD] [--policy FILE]\n"
			"      列出某地区某日生效的政策参数（政策文件与数据库中的参数合并）(the values in force)\n"
			"  doudi policy set [--db DB] --as USER --name NAME --region CODE|\"\" --from YYYY-MM-DD\n"
			"      --value JSON [--note 说明] [--policy FILE]\n"
			"      在数据库中新增一个参数值，按参数类型校验；区县只能设本区县、今天及以后生效的值\n"
			"      (adds an entry to the store; value as JSON, e.g. '\"800.00\"', 6, true)\n");
}

struct opts {
	const char *db, *as, *region, *date, *policy, *name, *from, *value, *note;
};

int cmd_policy(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		policy_usage();
		return argc < 2 ? EXIT_BAD_INPUT : EXIT_OK;
	}
	bool set = strcmp(argv[1], "set") == 0;
	if (!set && strcmp(argv[1], "list") != 0) {
		policy_usage();
		return EXIT_BAD_INPUT;
	}
	struct opts o = {0};
	static const struct {
		const char *name;
		size_t off;
	} names[] = {
	    {"--db", offsetof(struct opts, db)},	 {"--as", offsetof(struct opts, as)},
	    {"--region", offsetof(struct opts, region)}, {"--date", offsetof(struct opts, date)},
	    {"--policy", offsetof(struct opts, policy)}, {"--name", offsetof(struct opts, name)},
	    {"--from", offsetof(struct opts, from)},	 {"--value", offsetof(struct opts, value)},
	    {"--note", offsetof(struct opts, note)},
	};
	for (int i = 2; i < argc; i += 2) {
		size_t k = 0;
		while (k < sizeof names / sizeof names[0] && strcmp(argv[i], names[k].name) != 0)
			k++;
		if (k == sizeof names / sizeof names[0] || i + 1 >= argc) {
			fprintf(stderr,
				"doudi policy: 无法识别的参数或缺少值 \"%s\" (unknown argument or missing value)\n",
				argv[i]);
			return EXIT_BAD_INPUT;
		}
		memcpy((char *)&o + names[k].off, &argv[i + 1], sizeof argv[i + 1]);
	}
	if (!o.as) {
		fprintf(stderr, "doudi policy: 需要 --as (--as is required)\n");
		return EXIT_BAD_INPUT;
	}
	dd_date date = casework_today();
	if (o.date && date_parse(o.date, strlen(o.date), &date, NULL)) {
		fprintf(stderr, "--date: 日期应为 YYYY-MM-DD\n");
		return EXIT_BAD_INPUT;
	}
	struct arena a;
	arena_init(&a, 4096, 1 << 20);
	struct json_value *value = NULL;
	dd_error err;
	dd_error_clear(&err);
	if (set && o.value && json_parse(o.value, strlen(o.value), &a, NULL, &value, &err)) {
		fprintf(stderr, "--value: %s\n", err.message);
		arena_release(&a);
		return EXIT_BAD_INPUT;
	}
	char *text = NULL;
	size_t n = 0;
	if (!cli_policy_text(o.policy, &text, &n)) {
		arena_release(&a);
		return EXIT_BAD_INPUT;
	}
	struct db *db = NULL;
	struct policy_store *ps = NULL;
	struct svc_error e;
	svc_error_clear(&e);
	struct principal actor;
	struct strbuf out;
	strbuf_init(&out, 4096);
	int code = EXIT_OK;
	enum svc_kind k = SVC_OK;
	dd_status rc = cli_db_open(o.db, false, &db, &err);
	if (rc) {
		cli_print_error(&err);
		code = cli_exit_code(rc);
	} else if ((k = policy_store_open(&ps, text, n, db, &e)) || (k = accounts_principal(db, o.as, &actor, &e))) {
		code = cli_svc_exit(k);
	} else if (set) {
		struct policy_entry_new req = {
		    .name = o.name, .region = o.region, .from = o.from, .value = value, .note = o.note};
		k = policy_store_add(ps, db, &actor, casework_today(), &req, &out, &e);
	} else {
		k = policy_store_in_force(ps, &actor, o.region, date, &out, &e);
	}
	if (k) {
		code = cli_svc_fail("doudi policy", k, &e);
	} else if (!rc) {
		printf("%.*s\n", (int)out.len, out.buf ? out.buf : "");
	}
	strbuf_release(&out);
	policy_store_close(ps);
	db_close(db);
	free(text);
	arena_release(&a);
	return code;
}
