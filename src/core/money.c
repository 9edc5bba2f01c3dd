/* money.c - exact decimal money and ratios. No I/O. */
#include "money.h"

#include <stdio.h>
#include <string.h>

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The digits of a decimal lexeme: an integer part and a fraction part. */
struct digits {
	const char *ip, *fp;
	size_t in, fn;
};

static char digit_at(const struct digits *d, size_t k)
{
	return k < d->in ? d->ip[k] : d->fp[k - d->in];
}

dd_status money_parse(const char *s, size_t n, enum money_syntax syntax, fen_t *out, dd_error *err)
{
	size_t i = 0;
	bool neg = false;
	struct digits d = {0};
	if (n == 0)
		return dd_fail(err, DD_EINVAL, NULL, "金额为空 (empty amount)");
	if (s[0] == '-') {
		neg = true;
		i++;
	}
	d.ip = s + i;
	while (i < n && is_digit(s[i]))
		i++;
	d.in = (size_t)(s + i - d.ip);
	if (d.in == 0)
		goto syntax;
	if (syntax == MONEY_JSON_NUMBER && d.in > 1 && d.ip[0] == '0')
		goto syntax;
	if (i < n && s[i] == '.') {
		d.fp = s + ++i;
		while (i < n && is_digit(s[i]))
			i++;
		d.fn = (size_t)(s + i - d.fp);
		if (d.fn == 0)
			goto syntax;
	}
	long exp10 = 0;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		if (syntax != MONEY_JSON_NUMBER)
			goto syntax;
		i++;
		bool eneg = false;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			eneg = s[i++] == '-';
		size_t ed = 0;
		for (; i < n && is_digit(s[i]); i++, ed++)
			if (exp10 < 1000000)
				exp10 = exp10 * 10 + (s[i] - '0');
		if (!ed)
			goto syntax;
		if (eneg)
			exp10 = -exp10;
	}
	if (i != n)
		goto syntax;

	/* significant digits [lo, hi) of the combined digit string */
	size_t total = d.in + d.fn, lo = 0, hi = total;
	while (lo < total && digit_at(&d, lo) == '0')
		lo++;
	if (lo == total) {
		*out = 0;
		return DD_OK;
	}
	long scale = exp10 - (long)d.fn + 2; /* fen = digits × 10^scale */
	while (digit_at(&d, hi - 1) == '0') {
		hi--;
		scale++;
	}
	if (scale < 0)
		return dd_fail(err, DD_EINVAL, NULL, "金额最多两位小数 (more than two fraction digits)");
	if ((long)(hi - lo) + scale > 19)
		goto range;
	uint64_t mant = 0;
	for (size_t k = lo; k < hi; k++)
		mant = mant * 10 + (uint64_t)(digit_at(&d, k) - '0');
	for (; scale > 0; scale--) {
		if (mant > UINT64_MAX / 10)
			goto range;
		mant *= 10;
	}
	if (mant > (uint64_t)INT64_MAX + (neg ? 1u : 0u))
		goto range;
	*out = neg ? (fen_t)(0 - mant) : (fen_t)mant;
	return DD_OK;
syntax:
	return dd_fail(err, DD_EINVAL, NULL, "金额格式错误，应为元，如 \"1234.56\" (invalid amount)");
range:
	return dd_fail(err, DD_ERANGE, NULL, "金额超出可表示范围 (amount too large for int64 fen)");
}

size_t money_format(fen_t v, char buf[MONEY_TEXT_MAX])
{
	static const char pairs[201] =
	    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	    "8081828384858687888990919293949596979899";
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	char tmp[MONEY_TEXT_MAX];
	char *p = tmp + sizeof tmp;
	unsigned f = (unsigned)(u % 100);
	u /= 100;
	p -= 2;
	memcpy(p, pairs + 2 * f, 2);
	*--p = '.';
	while (u >= 100) {
		f = (unsigned)(u % 100);
		u /= 100;
		p -= 2;
		memcpy(p, pairs + 2 * f, 2);
	}
	if (u >= 10) {
		p -= 2;
		memcpy(p, pairs + 2 * u, 2);
	} else {
		*--p = (char)('0' + u);
	}
	if (v < 0)
		*--p = '-';
	size_t len = (size_t)(tmp + sizeof tmp - p);
	memcpy(buf, p, len);
	buf[len] = '\0';
	return len;
}

bool money_add(fen_t a, fen_t b, fen_t *out)
{
	fen_t r;
	if (__builtin_add_overflow(a, b, &r))
		return false;
	*out = r;
	return true;
}

bool money_sub(fen_t a, fen_t b, fen_t *out)
{
	fen_t r;
	if (__builtin_sub_overflow(a, b, &r))
		return false;
	*out = r;
	return true;
}

bool money_mul_int(fen_t a, int64_t k, fen_t *out)
{
	fen_t r;
	if (__builtin_mul_overflow(a, k, &r))
		return false;
	*out = r;
	return true;
}

static __int128 div_round_128(__int128 a, __int128 d)
{
	/* half away from zero */
	__int128 q = a / d, r = a % d;
	if (r < 0)
		r = -r;
	if (2 * r >= d)
		q += a < 0 ? -1 : 1;
	return q;
}

fen_t money_div_round(fen_t a, int64_t d)
{
	return (fen_t)div_round_128(a, d);
}

dd_status ratio_parse(const char *s, size_t n, struct ratio *out, dd_error *err)
{
	size_t i = 0;
	int64_t num = 0, den = 1;
	size_t ints = 0, fracs = 0;
	while (i < n && is_digit(s[i])) {
		num = num * 10 + (s[i] - '0');
		if (num > 1000000000)
			return dd_fail(err, DD_ERANGE, NULL, "比例过大 (ratio too large)");
		ints++;
		i++;
	}
	if (!ints)
		goto bad;
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && is_digit(s[i])) {
			if (++fracs > 9)
				return dd_fail(err, DD_EINVAL, NULL, "比例小数位过多 (more than 9 fraction digits)");
			num = num * 10 + (s[i] - '0');
			den *= 10;
			i++;
		}
		if (!fracs)
			goto bad;
	}
	if (i != n)
		goto bad;
	out->num = num;
	out->den = den;
	return DD_OK;
bad:
	return dd_fail(err, DD_EINVAL, NULL, "比例格式错误，应为非负小数，如 \"0.30\" (invalid ratio)");
}

static bool fits(__int128 v, fen_t *out)
{
	if (v > INT64_MAX || v < INT64_MIN)
		return false;
	*out = (fen_t)v;
	return true;
}

bool money_mul_ratio(fen_t a, struct ratio r, fen_t *out)
{
	return fits(div_round_128((__int128)a * r.num, r.den), out);
}

bool money_mul_one_minus_ratio(fen_t a, struct ratio r, fen_t *out)
{
	return fits(div_round_128((__int128)a * (r.den - r.num), r.den), out);
}

int money_cmp_ratio(fen_t a, struct ratio r, fen_t b)
{
	__int128 lhs = (__int128)a * r.den, rhs = (__int128)b * r.num;
	return lhs < rhs ? -1 : lhs > rhs;
}

size_t ratio_format(struct ratio r, char *buf, size_t size)
{
	int64_t ip = r.num / r.den, fp = r.num % r.den;
	int digits = 0;
	for (int64_t d = r.den; d > 1; d /= 10)
		digits++;
	int n;
	if (!fp) {
		n = snprintf(buf, size, "%lld", (long long)ip);
	} else {
		while (fp % 10 == 0) {
			fp /= 10;
			digits--;
		}
		n = snprintf(buf, size, "%lld.%0*lld", (long long)ip, digits, (long long)fp);
	}
	return n < 0 ? 0 : (size_t)n;
}
