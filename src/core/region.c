/* region.c - region code prefixes. No I/O. */
#include "region.h"

#include <string.h>

static const size_t level_end[] = {0, 2, 4, 6, 9, 12};

size_t region_significant(const char *code, size_t n, char sig[REGION_TEXT_MAX])
{
	if (n > REGION_MAX)
		n = REGION_MAX;
	size_t keep = n;
	/* drop trailing levels (possibly partial) that are all zeros */
	for (int lv = 5; lv >= 1; lv--) {
		size_t lo = level_end[lv - 1], hi = level_end[lv];
		if (lo >= keep)
			continue;
		if (hi > keep)
			hi = keep;
		bool zero = true;
		for (size_t i = lo; i < hi; i++)
			if (code[i] != '0')
				zero = false;
		if (!zero)
			break;
		keep = lo;
	}
	memcpy(sig, code, keep);
	sig[keep] = '\0';
	return keep;
}

dd_status region_parse(const char *s, size_t n, size_t min_len, char sig[REGION_TEXT_MAX], dd_error *err)
{
	if (n > REGION_MAX || n < min_len)
		return dd_fail(err, DD_EINVAL, NULL, "地区代码应为%zu至12位数字 (region code must be %zu-12 digits)",
			       min_len, min_len);
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return dd_fail(err, DD_EINVAL, NULL, "地区代码只能包含数字 (region code must be digits)");
	region_significant(s, n, sig);
	return DD_OK;
}

bool region_covers(const char *scope_sig, const char *code_sig)
{
	size_t n = strlen(scope_sig);
	return strncmp(scope_sig, code_sig, n) == 0;
}

int region_level(const char *sig)
{
	size_t n = strlen(sig);
	for (int lv = 0; lv <= 5; lv++)
		if (n <= level_end[lv])
			return lv;
	return 5;
}

bool region_parent(const char *sig, char parent[REGION_TEXT_MAX])
{
	int lv = region_level(sig);
	if (lv == 0)
		return false;
	char tmp[REGION_TEXT_MAX];
	memcpy(tmp, sig, level_end[lv - 1]);
	region_significant(tmp, level_end[lv - 1], parent);
	return true;
}

size_t region_full_code(const char *sig, char out[REGION_TEXT_MAX])
{
	size_t n = strlen(sig);
	size_t width = n <= 6 ? 6 : n <= 9 ? 9 : 12;
	memcpy(out, sig, n);
	memset(out + n, '0', width - n);
	out[width] = '\0';
	return width;
}
