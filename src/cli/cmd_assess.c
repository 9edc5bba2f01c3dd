/* cmd_assess.c - `doudi assess`, exactly as ASSESS.md: one household, or
 * --batch NDJSON streamed line by line in constant memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/assess.h"
#include "core/household.h"
#include "core/json.h"
#include "core/policy.h"

extern const char dd_default_policy[];
extern const char dd_default_policy_end[];

#define SINGLE_MAX (16u * 1024 * 1024)
#define LINE_MAX_BYTES (1u * 1024 * 1024)
#define CACHE_SLOTS 1024

/* Resolved parameters per (region, date): most batches repeat a few. */
struct params_cache {
	struct {
		bool used;
		char region[REGION_TEXT_MAX];
		size_t epoch;
		dd_status rc;
		dd_error err;
		struct assess_params p;
	} slot[CACHE_SLOTS];
};

static const struct assess_params *cache_get(struct params_cache *c, const struct policy *pol, const char *region,
					     dd_date date, dd_error *err)
{
	size_t epoch = policy_epoch(pol, date);
	const char *full_region = region;
	region = policy_region_key(pol, region);
	uint32_t hash = 2166136261u;
	for (const char *s = region; *s; s++)
		hash = (hash ^ (unsigned char)*s) * 16777619u;
	hash = (hash ^ (uint32_t)epoch) * 16777619u;
	size_t i = hash % CACHE_SLOTS;
	if (!c->slot[i].used || c->slot[i].epoch != epoch || strcmp(c->slot[i].region, region) != 0) {
		c->slot[i].used = true;
		c->slot[i].epoch = epoch;
		snprintf(c->slot[i].region, sizeof c->slot[i].region, "%s", region);
		dd_error_clear(&c->slot[i].err);
		c->slot[i].rc = assess_params_resolve(pol, region, date, &c->slot[i].p, &c->slot[i].err);
	}
	if (c->slot[i].rc || c->slot[i].p.missing_rc) {
		/* rare: resolve again so the message names this household's date */
		c->slot[i].used = false;
		dd_status rc = assess_params_resolve(pol, full_region, date, &c->slot[i].p, err);
		if (rc)
			return NULL;
	}
	return &c->slot[i].p;
}

struct assess_ctx {
	const struct policy *policy;
	const dd_date *date_override;
	struct params_cache *cache;
	struct arena arena;
	bool pretty;
};

/* One household text → result JSON appended to out. */
static dd_status assess_one(struct assess_ctx *cx, const char *text, size_t n, struct strbuf *out, dd_error *err)
{
	arena_reset(&cx->arena);
	struct json_value *doc;
	struct household h;
	struct assess_result r;
	dd_status rc = json_parse(text, n, &cx->arena, NULL, &doc, err);
	if (rc)
		return rc;
	if ((rc = household_read(doc, cx->date_override, &cx->arena, &h, err)))
		return rc;
	const struct assess_params *p = cache_get(cx->cache, cx->policy, h.region_sig, h.date, err);
	if (!p)
		return err->code;
	if ((rc = household_assess(&h, p, &cx->arena, &r, err)))
		return rc;
	assess_render(&h, &r, cx->pretty, out);
	return out->failed ? dd_fail(err, DD_ENOMEM, "$", "内存不足 (out of memory)") : DD_OK;
}

static void batch_error(struct strbuf *out, unsigned long line, const dd_error *err)
{
	struct strbuf msg;
	strbuf_init(&msg, 128);
	strbuf_addf(&msg, "%s: %s", err->field[0] ? err->field : "$", err->message);
	strbuf_adds(out, "{\"line\":");
	strbuf_add_int(out, (int64_t)line);
	strbuf_adds(out, ",\"error\":");
	strbuf_add_json_string(out, msg.buf ? msg.buf : "", msg.len);
	strbuf_addc(out, '}');
	strbuf_release(&msg);
}

static int run_batch(struct assess_ctx *cx, const char *path)
{
	FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!in) {
		fprintf(stderr, "%s: 无法打开文件 (cannot open file)\n", path);
		return EXIT_BAD_INPUT;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	unsigned long lineno = 0;
	bool any_bad = false;
	struct strbuf out;
	strbuf_init(&out, 1 << 20);
	while ((got = getline(&line, &cap, in)) >= 0) {
		lineno++;
		size_t n = (size_t)got;
		if (n && line[n - 1] == '\n')
			n--;
		if (n && line[n - 1] == '\r')
			n--;
		dd_error err;
		dd_error_clear(&err);
		size_t mark = out.len;
		dd_status rc;
		if (n > LINE_MAX_BYTES)
			rc = dd_fail(&err, DD_ELIMIT, "$", "行超过 %u 字节上限 (line too long)", LINE_MAX_BYTES);
		else if (n == 0)
			rc = dd_fail(&err, DD_EINVAL, "$", "空行 (empty line)");
		else
			rc = assess_one(cx, line, n, &out, &err);
		if (rc) {
			out.len = mark;
			batch_error(&out, lineno, &err);
			any_bad = true;
		}
		strbuf_addc(&out, '\n');
		if (out.len >= (1 << 20)) {
			if (fwrite(out.buf, 1, out.len, stdout) != out.len)
				break;
			strbuf_reset(&out);
		}
		/* keep memory constant: a huge line's buffer is not kept */
		if (cap > 4 * LINE_MAX_BYTES) {
			free(line);
			line = NULL;
			cap = 0;
		}
	}
	int rc = EXIT_OK;
	if (out.failed || fwrite(out.buf, 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
		fprintf(stderr, "doudi: 写出结果失败 (write error)\n");
		rc = EXIT_INTERNAL;
	} else if (ferror(in)) {
		fprintf(stderr, "%s: 读取失败 (read error)\n", path);
		rc = EXIT_INTERNAL;
	} else if (any_bad) {
		rc = EXIT_BAD_INPUT;
	}
	free(line);
	strbuf_release(&out);
	if (in != stdin)
		fclose(in);
	return rc;
}

static int run_single(struct assess_ctx *cx, const char *path)
{
	char *text;
	size_t n;
	dd_error err;
	dd_error_clear(&err);
	dd_status rc = cli_read_file(path, SINGLE_MAX, &text, &n, &err);
	if (rc) {
		cli_print_error(&err);
		return rc == DD_ENOMEM ? EXIT_INTERNAL : EXIT_BAD_INPUT;
	}
	struct strbuf out;
	strbuf_init(&out, 4096);
	rc = assess_one(cx, text, n, &out, &err);
	free(text);
	int code = EXIT_OK;
	if (rc) {
		cli_print_error(&err);
		code = rc == DD_ENOMEM ? EXIT_INTERNAL : EXIT_BAD_INPUT;
	} else {
		strbuf_addc(&out, '\n');
		if (fwrite(out.buf, 1, out.len, stdout) != out.len || fflush(stdout) != 0)
			code = EXIT_INTERNAL;
	}
	strbuf_release(&out);
	return code;
}

static void assess_usage(void)
{
	fprintf(stderr, "用法 (usage): doudi assess [--policy FILE] [--date YYYY-MM-DD] [--pretty] [FILE|-]\n"
			"              doudi assess --batch [--policy FILE] [--date YYYY-MM-DD] FILE.ndjson|-\n");
}

int cmd_assess(int argc, char **argv)
{
	const char *policy_path = NULL, *date_text = NULL, *file = NULL;
	bool batch = false, pretty = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--batch") == 0) {
			batch = true;
		} else if (strcmp(a, "--pretty") == 0) {
			pretty = true;
		} else if ((strcmp(a, "--policy") == 0 || strcmp(a, "--date") == 0) && i + 1 < argc) {
			*(a[2] == 'p' ? &policy_path : &date_text) = argv[++i];
		} else if (strncmp(a, "--policy=", 9) == 0) {
			policy_path = a + 9;
		} else if (strncmp(a, "--date=", 7) == 0) {
			date_text = a + 7;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			assess_usage();
			return EXIT_OK;
		} else if ((a[0] != '-' || strcmp(a, "-") == 0) && !file) {
			file = a;
		} else {
			fprintf(stderr, "%s: 未知或多余的参数 (unknown or extra argument)\n", a);
			assess_usage();
			return EXIT_BAD_INPUT;
		}
	}
	if (!file)
		file = "-";
	dd_error err;
	dd_error_clear(&err);
	dd_date date;
	if (date_text && date_parse(date_text, strlen(date_text), &date, &err)) {
		fprintf(stderr, "--date: %s\n", err.message);
		return EXIT_BAD_INPUT;
	}
	struct policy policy;
	dd_status rc;
	if (policy_path) {
		char *text;
		size_t n;
		if ((rc = cli_read_file(policy_path, 64u * 1024 * 1024, &text, &n, &err))) {
			cli_print_error(&err);
			return EXIT_BAD_INPUT;
		}
		rc = policy_load(&policy, text, n, &err);
		free(text);
	} else {
		rc = policy_load(&policy, dd_default_policy, (size_t)(dd_default_policy_end - dd_default_policy), &err);
	}
	if (rc) {
		fprintf(stderr, "%s: %s: %s\n", policy_path ? policy_path : "policy/default.json", err.field,
			err.message);
		return EXIT_BAD_INPUT;
	}
	struct params_cache *cache = calloc(1, sizeof *cache);
	if (!cache) {
		policy_release(&policy);
		return EXIT_INTERNAL;
	}
	struct assess_ctx cx = {
	    .policy = &policy, .date_override = date_text ? &date : NULL, .cache = cache, .pretty = pretty};
	arena_init(&cx.arena, 64 * 1024, 64u * 1024 * 1024);
	int code = batch ? run_batch(&cx, file) : run_single(&cx, file);
	arena_release(&cx.arena);
	free(cache);
	policy_release(&policy);
	return code;
}
