/* fuzz_encoding.c - libFuzzer target: the decoder. The first 3 bytes pick
 * the encoding and the chunking; the output (and any error) must not depend
 * on the chunking, must be valid UTF-8, and must survive UTF-8 → GB18030 →
 * UTF-8 unchanged. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/encoding.h"

static uint32_t next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static dd_status decode(enum text_encoding enc, const uint8_t *d, size_t n, uint32_t seed, struct strbuf *out,
			dd_error *err, enum text_encoding *chosen)
{
	struct text_decoder dec;
	if (text_decoder_init(&dec, enc, text_sink_strbuf, out, err))
		__builtin_trap();
	dd_status rc = DD_OK;
	size_t at = 0;
	while (at < n && !rc) {
		size_t k = n - at;
		if (seed) {
			size_t c = next(&seed) % 9 + 1;
			if (c < k)
				k = c;
		}
		rc = text_decoder_feed(&dec, (const char *)d + at, k, err);
		at += k;
	}
	if (!rc)
		rc = text_decoder_finish(&dec, err);
	*chosen = text_decoder_encoding(&dec);
	text_decoder_release(&dec);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	enum text_encoding enc = (enum text_encoding)(data[0] % 3);
	uint32_t seed = (uint32_t)data[1] << 8 | data[2] | 1u;
	data += 3;
	size -= 3;
	struct strbuf a, b;
	strbuf_init(&a, 256);
	strbuf_init(&b, 256);
	dd_error ea, eb;
	dd_error_clear(&ea);
	dd_error_clear(&eb);
	enum text_encoding ca, cb;
	dd_status ra = decode(enc, data, size, 0, &a, &ea, &ca);
	dd_status rb = decode(enc, data, size, seed, &b, &eb, &cb);
	if (ra != rb || ca != cb || a.len != b.len || (a.len && memcmp(a.buf, b.buf, a.len)) ||
	    strcmp(ea.message, eb.message))
		__builtin_trap();
	if (a.len && !utf8_valid(a.buf, a.len))
		__builtin_trap();
	/* round trip through GB18030 */
	struct strbuf gb, back;
	strbuf_init(&gb, 256);
	strbuf_init(&back, 256);
	struct text_encoder e;
	dd_error err;
	if (text_encoder_init(&e, TEXT_GB18030, false, text_sink_strbuf, &gb, &err) ||
	    text_encoder_feed(&e, a.buf ? a.buf : "", a.len, &err) || text_encoder_finish(&e, &err))
		__builtin_trap();
	text_encoder_release(&e);
	enum text_encoding cc;
	/* GB18030 text that happens to start with the UTF-8 BOM's bytes ("锘"
	 * and a character whose first byte is BF) is refused as a wrong choice */
	bool looks_bom = gb.len >= 3 && memcmp(gb.buf, UTF8_BOM, 3) == 0;
	if (!looks_bom && decode(TEXT_GB18030, (const uint8_t *)(gb.buf ? gb.buf : ""), gb.len, seed, &back, &err, &cc))
		__builtin_trap();
	/* a U+FEFF that starts the text is dropped on the way back, as a BOM */
	size_t skip = a.len >= 3 && memcmp(a.buf, UTF8_BOM, 3) == 0 ? 3 : 0;
	if (!looks_bom && (back.len != a.len - skip || (back.len && memcmp(back.buf, a.buf + skip, back.len))))
		__builtin_trap();
	strbuf_release(&a);
	strbuf_release(&b);
	strbuf_release(&gb);
	strbuf_release(&back);
	return 0;
}
