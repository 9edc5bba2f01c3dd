/* cmd_audit.c - `doudi audit verify`: checks the hash-chained audit log
 * (IMPORT.md). Exit 0 and the count when intact; exit 1 naming the first bad
 * seq when a row was changed, removed or inserted; exit 2 on bad usage or a
 * store that cannot be read. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "core/strbuf.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/store.h"

static void audit_usage(void)
{
	fprintf(stderr,
		"用法 (usage): doudi audit verify [--db PATH|postgresql://…] [--json]\n"
		"  校验审计链：完整时退出码 0 并打印条数；被修改、删除或插入时退出码 1 并指出第一个错误的 seq\n"
		"  (checks the audit chain: exit 0 with the count when intact, exit 1 naming the first bad seq)\n");
}

static int audit_verify_cmd(int argc, char **argv)
{
	const char *target = NULL;
	bool json = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			target = argv[++i];
		} else if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			audit_usage();
			return EXIT_OK;
		} else {
			fprintf(stderr, "doudi audit verify: 无法识别的参数 \"%s\" (unknown argument)\n", argv[i]);
			audit_usage();
			return EXIT_BAD_INPUT;
		}
	}
	dd_error err;
	dd_error_clear(&err);
	struct db *db = NULL;
	struct audit_report rep;
	dd_status rc = cli_db_open(target, false, &db, &err);
	if (!rc)
		rc = store_check_schema(db, &err);
	if (!rc)
		rc = audit_verify(db, &rep, &err);
	db_close(db);
	if (rc) {
		cli_print_error(&err);
		return EXIT_BAD_INPUT;
	}
	if (json) {
		struct strbuf sb;
		strbuf_init(&sb, 256);
		strbuf_addf(&sb, "{\"intact\":%s,\"count\":%" PRId64 ",\"head\":\"%s\"", rep.intact ? "true" : "false",
			    rep.count, rep.head_hash);
		if (!rep.intact) {
			strbuf_addf(&sb, ",\"bad_seq\":%" PRId64 ",\"reason\":", rep.bad_seq);
			strbuf_add_json_string(&sb, rep.reason, strlen(rep.reason));
		}
		strbuf_adds(&sb, "}\n");
		fputs(sb.failed ? "{}\n" : sb.buf, stdout);
		strbuf_release(&sb);
	}
	if (!rep.intact) {
		fprintf(stderr, "审计链损坏 (audit chain broken): seq=%" PRId64 " %s\n", rep.bad_seq, rep.reason);
		return EXIT_INTERNAL;
	}
	if (!json)
		printf("审计链完整 (audit chain intact): count=%" PRId64 " head=%s\n", rep.count, rep.head_hash);
	return EXIT_OK;
}

int cmd_audit(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "verify") == 0)
		return audit_verify_cmd(argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		audit_usage();
		return EXIT_OK;
	}
	fprintf(stderr, "doudi audit: 缺少或未知的子命令 (missing or unknown subcommand)\n");
	audit_usage();
	return EXIT_BAD_INPUT;
}
