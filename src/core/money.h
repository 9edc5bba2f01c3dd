/* money.h - exact money: int64 fen (1/100 yuan), never floating point.
 *
 * Parsing takes decimal yuan text ("1234.56", "-3", "12.5"; a JSON number
 * lexeme may also carry an exponent) and refuses more than two fraction
 * digits or anything int64 fen cannot hold. Arithmetic helpers report
 * overflow instead of wrapping. Ratios ("0.30", "1.5") are exact decimals
 * num/den with den a power of ten. No I/O. */
#ifndef DD_MONEY_H
#define DD_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

typedef int64_t fen_t;

#define MONEY_TEXT_MAX 24 /* "-92233720368547758.08" + NUL fits */

enum money_syntax {
	MONEY_PLAIN = 0,   /* -?digits(.digits)? : what strings may hold */
	MONEY_JSON_NUMBER, /* also an exponent, as in a JSON number lexeme */
};

/* Parses s[0..n) into *out. On failure fills err (field left empty for the
 * caller to name) and returns DD_EINVAL (syntax, too many decimals) or
 * DD_ERANGE (too large). */
dd_status money_parse(const char *s, size_t n, enum money_syntax syntax, fen_t *out, dd_error *err) DD_MUST_CHECK;

/* Writes "-1234.56" style text; returns its length. buf holds MONEY_TEXT_MAX. */
size_t money_format(fen_t v, char buf[MONEY_TEXT_MAX]);

/* Checked arithmetic: return false on overflow and leave *out untouched. */
bool money_add(fen_t a, fen_t b, fen_t *out) DD_MUST_CHECK;
bool money_sub(fen_t a, fen_t b, fen_t *out) DD_MUST_CHECK;
bool money_mul_int(fen_t a, int64_t k, fen_t *out) DD_MUST_CHECK;

/* a / d rounded half-up (half away from zero for negatives); d > 0. */
fen_t money_div_round(fen_t a, int64_t d);

/* An exact non-negative decimal ratio: value = num / den, den = 10^k. */
struct ratio {
	int64_t num;
	int64_t den;
};

/* Parses "0.30", "1.5", "2" (at most 9 fraction digits, value ≤ 10^9). */
dd_status ratio_parse(const char *s, size_t n, struct ratio *out, dd_error *err) DD_MUST_CHECK;
/* a × r rounded half-up to fen; false when the result overflows. */
bool money_mul_ratio(fen_t a, struct ratio r, fen_t *out) DD_MUST_CHECK;
/* a × (1 − r) rounded half-up to fen (r ≤ 1); false on overflow. */
bool money_mul_one_minus_ratio(fen_t a, struct ratio r, fen_t *out) DD_MUST_CHECK;
/* Compares a with r × b exactly: <0, 0, >0. */
int money_cmp_ratio(fen_t a, struct ratio r, fen_t b);
/* Formats a ratio as a decimal ("0.3", "1.5"); returns length. */
size_t ratio_format(struct ratio r, char *buf, size_t size);

#endif
