/* fuzz_import_row.c - libFuzzer target: the import's header and row reader,
 * household rules, ID index and output rows, over CSV parsed from the input.
 * A row that reads fine is exported and read back: it must come back equal.
 * With valid UTF-8 input every message is valid UTF-8. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/csv.h"
#include "core/encoding.h"
#include "core/import_row.h"

struct ctx {
	bool have_header, utf8;
	struct import_header h;
	struct import_person rows[8];
	size_t n;
	struct id_index ids;
	struct strbuf out;
};

static const char *const default_header =
    "household_no,region,area,id,name,relation,disability_grade,disability_kind,severe_illness,"
    "labor_capacity,self_care,in_school,supporters,wage_month,business_month,property_month,"
    "transfer_month,basic_pension_month";

static void check_message(const struct ctx *c, const dd_error *err)
{
	if (c->utf8 && !utf8_valid(err->message, strlen(err->message)))
		__builtin_trap();
}

static dd_status read_back_header(void *ctx, const struct csv_record *rec, dd_error *err)
{
	return import_header_read(rec, ctx, err);
}

struct readback {
	const struct import_header *h;
	struct import_person q;
	int n;
	dd_status rc;
};

static dd_status read_back_row(void *ctx, const struct csv_record *rec, dd_error *err)
{
	struct readback *r = ctx;
	r->n++;
	r->rc = import_row_read(r->h, rec, date_from_ymd(2025, 6, 30), &r->q, err);
	return DD_OK;
}

/* Exports p, reads the line back under an English header, compares. */
static void round_trip(const struct import_person *p)
{
	struct strbuf sb;
	strbuf_init(&sb, 512);
	import_export_row(&sb, p);
	struct import_header h;
	dd_error err;
	struct csv_options ho = {.on_record = read_back_header, .ctx = &h};
	struct csv_parser parser;
	if (csv_init(&parser, &ho, &err) || csv_feed(&parser, default_header, strlen(default_header), &err) ||
	    csv_finish(&parser, &err))
		__builtin_trap();
	csv_release(&parser);
	struct readback r = {.h = &h};
	struct csv_options ro = {.on_record = read_back_row, .ctx = &r};
	if (csv_init(&parser, &ro, &err) || csv_feed(&parser, sb.buf, sb.len, &err) || csv_finish(&parser, &err))
		__builtin_trap();
	csv_release(&parser);
	if (r.n != 1 || r.rc)
		__builtin_trap();
	const struct import_person *q = &r.q;
	if (strcmp(p->household_no, q->household_no) || strcmp(p->region_sig, q->region_sig) ||
	    strcmp(p->id.text, q->id.text) || strcmp(p->name, q->name) || p->area != q->area ||
	    p->relation != q->relation || p->disability_grade != q->disability_grade ||
	    p->disability_kind != q->disability_kind || p->severe_illness != q->severe_illness ||
	    p->labor_capacity != q->labor_capacity || p->self_care != q->self_care || p->in_school != q->in_school ||
	    p->supporters != q->supporters)
		__builtin_trap();
	for (int k = 0; k < IMPORT_AMOUNTS; k++)
		if (import_has_amount(p, k) != import_has_amount(q, k) ||
		    (import_has_amount(p, k) && p->amount[k] != q->amount[k]))
			__builtin_trap();
	strbuf_release(&sb);
}

static dd_status on_record(void *vctx, const struct csv_record *rec, dd_error *err)
{
	(void)err;
	struct ctx *c = vctx;
	dd_error e;
	if (!c->have_header) {
		c->have_header = true;
		if (import_header_read(rec, &c->h, &e) == DD_OK) {
			import_rejects_header(&c->out, rec);
			return DD_OK;
		}
		check_message(c, &e);
		/* fall back to the English header and read this record as data */
		for (int k = 0; k < IMPORT_COL__COUNT; k++)
			c->h.field_of[k] = k;
		c->h.n_fields = IMPORT_COL__COUNT;
	}
	(void)import_row_blank(rec);
	struct import_person p;
	dd_status rc = import_row_read(&c->h, rec, date_from_ymd(2025, 6, 30), &p, &e);
	if (p.valid & IMPORT_BIT(IMPORT_COL_ID)) {
		bool repeat;
		struct id_index_entry first;
		if (id_index_add(&c->ids, p.id.text, (uint32_t)c->n, rec->line, &repeat, &first, &e) == DD_OK &&
		    repeat) {
			import_duplicate_reason(&first, rec->line, &e);
			check_message(c, &e);
		}
	}
	if (rc) {
		check_message(c, &e);
		import_rejects_row(&c->out, rec->line, e.message, rec);
		return DD_OK;
	}
	round_trip(&p);
	if (c->n < sizeof c->rows / sizeof c->rows[0])
		c->rows[c->n++] = p;
	return DD_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctx c;
	memset(&c, 0, sizeof c);
	c.utf8 = utf8_valid((const char *)data, size);
	strbuf_init(&c.out, 1024);
	dd_error err;
	if (id_index_init(&c.ids, 0, &err))
		__builtin_trap();
	struct csv_options o = {0};
	o.on_record = on_record;
	o.on_error = NULL;
	o.ctx = &c;
	o.max_fields = 64;
	struct csv_parser p;
	if (csv_init(&p, &o, &err))
		__builtin_trap();
	if (!csv_feed(&p, (const char *)data, size, &err))
		(void)csv_finish(&p, &err);
	csv_release(&p);
	/* the household rules over the accepted rows, whatever their households */
	size_t culprit;
	if (import_household_check(c.rows, c.n, &culprit, &err) != DD_OK) {
		check_message(&c, &err);
		if (c.n && culprit != SIZE_MAX && culprit >= c.n)
			__builtin_trap();
	}
	struct import_household_state s;
	import_household_init(&s);
	for (size_t i = 0; i < c.n; i++)
		import_household_add(&s, &c.rows[i]);
	(void)import_household_reason(&s, &err);
	check_message(&c, &err);
	id_index_release(&c.ids);
	strbuf_release(&c.out);
	return 0;
}
