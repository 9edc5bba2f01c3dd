/* csv.h - one chunked, strict RFC 4180 CSV parser (a push state machine).
 *
 * Feed it bytes in chunks of any size (a file read in 64 KiB pieces, an HTTP
 * upload in 32 KiB pieces, one byte at a time: a field, a "" escape or a CRLF
 * may be split anywhere); it calls back once per record with the fields
 * (pointer + length, each also NUL-terminated; a field may itself contain NUL
 * bytes, the length is authoritative) and the physical line (1-based) where
 * the record starts. The result never depends on how the input was chunked.
 *
 * Grammar: fields separated by ',', records ended by LF or CRLF (a CR outside
 * quotes must be followed by LF; at the very end of the input it ends the
 * record). A field starting with '"' is quoted: it may hold ',', CR, LF and
 * "" (one quote) and must be followed by ',', a line end or the end of input.
 * Strict: a '"' inside an unquoted field, text after a closing quote, a bare
 * CR and an unterminated quoted field are errors naming the physical line.
 * A last record without a line end is delivered by csv_finish. A line that is
 * completely empty (not even "") is skipped unless CSV_KEEP_EMPTY_LINES.
 * Limits on field size, fields per record and record size give DD_ELIMIT.
 *
 * Errors are fatal by default: csv_feed/csv_finish return the error and every
 * later call returns it again. With CSV_RECOVER and an on_error callback, a
 * record with a syntax or limit error is reported to on_error instead
 * (with the complete fields before the error) and the parser skips to the
 * next LF byte and carries on; an unterminated quote at the end of input is
 * reported the same way. Skipping to the next raw LF is a guess: after an
 * error inside a multi-line quoted field, the following lines may produce
 * further errors, each reported.
 *
 * Ownership: field pointers are valid only during the callback. No I/O. */
#ifndef DD_CSV_H
#define DD_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"
#include "strbuf.h"

struct csv_field {
	const char *p; /* NUL-terminated copy (unescaped), valid during the callback */
	size_t n;
};

struct csv_record {
	const struct csv_field *fields;
	size_t n_fields;
	uint64_t line;	 /* physical line (1-based) where the record starts */
	uint64_t offset; /* byte offset of the record's first byte in the stream */
};

/* Return DD_OK to go on; anything else stops the parse and is returned by
 * csv_feed/csv_finish (fill err). */
typedef dd_status (*csv_record_fn)(void *ctx, const struct csv_record *rec, dd_error *err);
/* CSV_RECOVER only: the record at rec->line (rec->fields: the complete fields
 * before the error) is bad for the reason in *why (message names the line). */
typedef dd_status (*csv_error_fn)(void *ctx, const struct csv_record *rec, const dd_error *why, dd_error *err);

enum csv_flags {
	CSV_RECOVER = 1u << 0,		/* report bad records to on_error and go on */
	CSV_KEEP_EMPTY_LINES = 1u << 1, /* deliver an empty line as a record of one empty field */
};

#define CSV_DEFAULT_MAX_FIELD ((size_t)64 * 1024)
#define CSV_DEFAULT_MAX_FIELDS ((size_t)1024)
#define CSV_DEFAULT_MAX_RECORD ((size_t)1024 * 1024)

struct csv_options {
	size_t max_field;  /* bytes of one unescaped field; 0 = CSV_DEFAULT_MAX_FIELD */
	size_t max_fields; /* fields per record; 0 = CSV_DEFAULT_MAX_FIELDS */
	size_t max_record; /* unescaped bytes of one record; 0 = CSV_DEFAULT_MAX_RECORD */
	unsigned flags;	   /* enum csv_flags */
	csv_record_fn on_record;
	csv_error_fn on_error; /* required with CSV_RECOVER */
	void *ctx;
};

/* The parser's state; treat the members as private. */
struct csv_parser {
	struct csv_options opt;
	char *buf; /* the current record's fields, each NUL-terminated */
	size_t len, cap;
	size_t *ends; /* end offset (at the NUL) of each completed field */
	size_t n_fields, ends_cap;
	struct csv_field *out;
	size_t out_cap;
	size_t field_start; /* offset in buf where the current field began */
	int state;
	bool in_record;	 /* bytes of the current record were seen */
	bool had_quote;	 /* a field of the current record was quoted */
	uint64_t line;	 /* current physical line */
	uint64_t offset; /* bytes consumed before the current chunk */
	uint64_t rec_line, rec_offset;
	uint64_t records; /* records delivered */
	dd_status failed; /* sticky error */
	dd_error error;
};

/* Sets p up; returns DD_EINVAL when options are inconsistent (no on_record,
 * CSV_RECOVER without on_error). Allocates nothing until the first feed. */
dd_status csv_init(struct csv_parser *p, const struct csv_options *opt, dd_error *err) DD_MUST_CHECK;
dd_status csv_feed(struct csv_parser *p, const char *data, size_t n, dd_error *err) DD_MUST_CHECK;
/* End of input: delivers a last record without a line end; an unterminated
 * quoted field is an error. */
dd_status csv_finish(struct csv_parser *p, dd_error *err) DD_MUST_CHECK;
/* Frees the buffers; p may be csv_init-ed again. */
void csv_release(struct csv_parser *p);

/* The physical line the parser is on (1-based): after an error, the line of
 * the offending byte. */
uint64_t csv_line(const struct csv_parser *p);
/* Records delivered to on_record so far. */
uint64_t csv_records(const struct csv_parser *p);

/* csv_feed with the signature of a byte sink (ctx is the struct csv_parser),
 * so a decoder (encoding.h) can push straight into the parser. */
dd_status csv_sink(void *parser, const char *data, size_t n, dd_error *err) DD_MUST_CHECK;

/* --- writing --- */

/* True when a field must be quoted on output (it holds ',', '"', CR or LF). */
bool csv_needs_quotes(const char *s, size_t n);
/* True when a spreadsheet would take the text for a formula: it starts with
 * '=', '+', '-', '@', a tab or a CR. */
bool csv_formula_like(const char *s, size_t n);

enum csv_out_flags {
	CSV_OUT_PROTECT = 1u << 0, /* a formula-like text gets a leading apostrophe */
};
/* Appends one field, quoted when needed ("" for a quote inside); with
 * CSV_OUT_PROTECT a formula-like text is written as '=… (Excel shows it as
 * text). The caller writes the ',' between fields and the "\r\n" after. */
void csv_append_field(struct strbuf *sb, const char *s, size_t n, unsigned flags);

#endif
