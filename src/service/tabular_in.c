/* tabular_in.c - XLSX or CSV, one record callback (tabular_in.h). */
#include "tabular_in.h"

#include <string.h>

#include "xlsx_in.h"

#define TABULAR_MAX_COLS 512
#define TABULAR_MAX_CELL 32767
#define TABULAR_MAX_RECORDS ((uint64_t)1048576)

struct job {
	tabular_record_fn fn;
	void *ctx;
	struct tabular_info *info;
};

static dd_status deliver(struct job *j, uint64_t record, const struct csv_field *cells, size_t n, dd_error *err)
{
	while (n > 0 && cells[n - 1].n == 0)
		n--;
	if (n == 0)
		return DD_OK;
	if (j->info->records >= TABULAR_MAX_RECORDS)
		return dd_fail(err, DD_ELIMIT, NULL, "第 %llu 行：超过 %llu 条记录 (line %llu: more than %llu records)",
			       (unsigned long long)record, (unsigned long long)TABULAR_MAX_RECORDS,
			       (unsigned long long)record, (unsigned long long)TABULAR_MAX_RECORDS);
	j->info->records++;
	return j->fn(j->ctx, record, cells, n, err);
}

static dd_status on_row(void *ctx, uint32_t row, const struct csv_field *cells, size_t n, dd_error *err)
{
	return deliver(ctx, row, cells, n, err);
}

static dd_status on_csv(void *ctx, const struct csv_record *rec, dd_error *err)
{
	return deliver(ctx, rec->line, rec->fields, rec->n_fields, err);
}

static int is_xls(const unsigned char *p, size_t len)
{
	static const unsigned char ole[8] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};
	return len >= 8 && memcmp(p, ole, 8) == 0;
}

static dd_status read_csv(const char *data, size_t len, struct job *j, dd_error *err)
{
	struct csv_options o = {.max_field = TABULAR_MAX_CELL,
				.max_fields = TABULAR_MAX_COLS,
				.max_record = (size_t)TABULAR_MAX_COLS * TABULAR_MAX_CELL,
				.on_record = on_csv,
				.ctx = j};
	struct csv_parser p;
	dd_status rc = csv_init(&p, &o, err);
	if (rc)
		return rc;
	struct text_decoder dec;
	if ((rc = text_decoder_init(&dec, TEXT_AUTO, csv_sink, &p, err))) {
		csv_release(&p);
		return rc;
	}
	rc = text_decoder_feed(&dec, data, len, err);
	if (!rc)
		rc = text_decoder_finish(&dec, err);
	if (!rc)
		rc = csv_finish(&p, err);
	j->info->encoding = text_decoder_encoding(&dec);
	if (j->info->encoding == TEXT_AUTO)
		j->info->encoding = TEXT_UTF8;
	text_decoder_release(&dec);
	csv_release(&p);
	return rc;
}

dd_status tabular_read(const void *data, size_t len, tabular_record_fn on_record, void *ctx, struct tabular_info *info,
		       dd_error *err)
{
	struct tabular_info local_info;
	if (!info)
		info = &local_info;
	memset(info, 0, sizeof *info);
	info->encoding = TEXT_UTF8;
	if (!on_record)
		return dd_fail(err, DD_EINVAL, NULL, "缺少记录回调 (tabular_read: on_record missing)");
	struct job j = {.fn = on_record, .ctx = ctx, .info = info};
	if (xlsx_in_is_zip(data, len)) {
		info->format = TABULAR_XLSX;
		struct xlsx_in_limits lim = {.max_cols = TABULAR_MAX_COLS, .max_cell_bytes = TABULAR_MAX_CELL};
		return xlsx_in_read(data, len, &lim, on_row, &j, err);
	}
	info->format = TABULAR_CSV;
	if (is_xls(data, len))
		return dd_fail(err, DD_EINVAL, NULL,
			       "不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV 后再导入 "
			       "(legacy .xls is not supported: save as .xlsx or CSV)");
	return read_csv(data, len, &j, err);
}

const char *tabular_format_name(enum tabular_format f)
{
	return f == TABULAR_XLSX ? "xlsx" : "csv";
}
