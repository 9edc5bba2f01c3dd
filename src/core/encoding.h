/* encoding.h - input text to UTF-8 (UTF-8 or GB18030, or detected), and
 * UTF-8 to GB18030 for export; chunk by chunk, pushing into a sink.
 *
 * Decoding (text_decoder): bytes arrive in chunks of any size; a multibyte
 * character split across chunks is carried over. The output is always valid
 * UTF-8 (strictly: no overlong forms, surrogates or code points above
 * U+10FFFF) with a leading byte order mark removed (U+FEFF at the very start,
 * whether it came as EF BB BF or as GB18030's 84 31 95 33).
 *
 *  - TEXT_UTF8: validated and passed through unchanged (no copy: the sink
 *    gets slices of the input).
 *  - TEXT_GB18030: converted with iconv. A file starting with the UTF-8 BOM
 *    is refused (someone chose the wrong encoding; the headers would be
 *    garbage).
 *  - TEXT_AUTO (IMPORT.md's default): a UTF-8 BOM means UTF-8. Otherwise
 *    the decision waits for the first non-ASCII byte (ASCII is the same in
 *    both encodings and passes straight through), then takes a window of
 *    TEXT_AUTO_WINDOW bytes from there (or up to the end of input, if
 *    sooner): valid UTF-8 (a character cut by the window's end allowed, and
 *    one cut by the end of input, which is then reported) means UTF-8,
 *    anything else GB18030. The decision is final: when UTF-8 was
 *    chosen and later bytes are not valid UTF-8, that is an error naming
 *    the line (the earlier text has already been passed on as UTF-8, and a
 *    file mixing encodings would be mangled silently otherwise); the message
 *    suggests --encoding gb18030. An all-ASCII input counts as UTF-8.
 *
 * Errors (invalid bytes, a character cut off by the end of input) name the
 * physical line (1 + the number of LF bytes before the bad byte; LF is never
 * part of a multibyte character in either encoding). They are sticky. A sink
 * error stops the decoder and is returned as it is.
 *
 * Encoding (text_encoder): UTF-8 in (chunks of any size), UTF-8 or GB18030
 * out, optionally with a BOM first. No I/O (iconv is a library call). */
#ifndef DD_ENCODING_H
#define DD_ENCODING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"
#include "strbuf.h"

enum text_encoding { TEXT_UTF8, TEXT_GB18030, TEXT_AUTO };

#define TEXT_AUTO_WINDOW ((size_t)64 * 1024)
#define TEXT_OUT_CHUNK ((size_t)64 * 1024)

/* "utf-8"/"utf8", "gb18030" (also "gbk", "gb2312": subsets of it), "auto";
 * case-insensitive. */
bool text_encoding_parse(const char *s, enum text_encoding *out);
/* "utf-8", "gb18030", "auto" */
const char *text_encoding_name(enum text_encoding e);

/* Where converted text goes: a CSV parser (csv_sink), a strbuf, a file
 * writer in the CLI. Return DD_OK to go on. */
typedef dd_status (*text_sink_fn)(void *ctx, const char *data, size_t n, dd_error *err);

/* The shared conversion state of decoder and encoder; private. */
struct text_conv {
	void *cd;		/* iconv_t; (void *)-1 for UTF-8 pass-through */
	unsigned char carry[8]; /* a character cut by the chunk's end */
	size_t ncarry;
	char *out; /* iconv output, TEXT_OUT_CHUNK bytes */
	size_t olen;
	uint64_t line;	 /* physical line of the next input byte */
	uint64_t offset; /* input bytes consumed */
	bool strip_bom;	 /* drop U+FEFF if it is the first output character */
	bool first_out_seen;
	text_sink_fn sink;
	void *ctx;
};

/* The decoder's state; treat the members as private. */
struct text_decoder {
	enum text_encoding requested;
	enum text_encoding chosen; /* TEXT_AUTO while undecided */
	struct text_conv c;
	unsigned char *window; /* the bytes a decision waits for */
	size_t wlen, wcap;
	bool windowing;
	dd_status failed;
	dd_error error;
};

dd_status text_decoder_init(struct text_decoder *d, enum text_encoding enc, text_sink_fn sink, void *ctx,
			    dd_error *err) DD_MUST_CHECK;
dd_status text_decoder_feed(struct text_decoder *d, const char *data, size_t n, dd_error *err) DD_MUST_CHECK;
/* End of input: decides (auto) if still undecided, flushes, and refuses a
 * character cut off by the end. */
dd_status text_decoder_finish(struct text_decoder *d, dd_error *err) DD_MUST_CHECK;
/* TEXT_UTF8 or TEXT_GB18030 once decided; TEXT_AUTO before. */
enum text_encoding text_decoder_encoding(const struct text_decoder *d);
void text_decoder_release(struct text_decoder *d);

/* The encoder's state; treat the members as private. */
struct text_encoder {
	enum text_encoding enc; /* TEXT_UTF8 or TEXT_GB18030 */
	struct text_conv c;
	bool bom_pending;
	dd_status failed;
	dd_error error;
};

/* enc: TEXT_UTF8 or TEXT_GB18030; bom: write the encoding's byte order mark
 * first (EF BB BF; 84 31 95 33 for GB18030, which few programs expect). */
dd_status text_encoder_init(struct text_encoder *e, enum text_encoding enc, bool bom, text_sink_fn sink, void *ctx,
			    dd_error *err) DD_MUST_CHECK;
/* utf8 must be valid UTF-8 (split anywhere across calls). */
dd_status text_encoder_feed(struct text_encoder *e, const char *utf8, size_t n, dd_error *err) DD_MUST_CHECK;
dd_status text_encoder_finish(struct text_encoder *e, dd_error *err) DD_MUST_CHECK;
void text_encoder_release(struct text_encoder *e);

/* A sink appending to a struct strbuf (ctx); fails on allocation failure. */
dd_status text_sink_strbuf(void *sb, const char *data, size_t n, dd_error *err) DD_MUST_CHECK;

/* Strict UTF-8 check of a whole string. */
bool utf8_valid(const char *s, size_t n);

#define UTF8_BOM "\xEF\xBB\xBF"

#endif
