/* idnum.c - GB 11643 identity numbers. No I/O. */
#include "idnum.h"

#include <string.h>

char idnum_check_char(const char digits17[17])
{
	static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	static const char map[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
	int sum = 0;
	for (int i = 0; i < 17; i++)
		sum += (digits17[i] - '0') * weights[i];
	return map[sum % 11];
}

dd_status idnum_parse(const char *s, size_t n, struct idnum *out, dd_error *err)
{
	if (n != IDNUM_LEN)
		return dd_fail(err, DD_EINVAL, NULL, "身份证号应为18位 (must be 18 characters)");
	for (int i = 0; i < 17; i++)
		if (s[i] < '0' || s[i] > '9')
			return dd_fail(err, DD_EINVAL, NULL,
				       "身份证号前17位应为数字 (first 17 characters must be digits)");
	char last = s[17] == 'x' ? 'X' : s[17];
	if (!((last >= '0' && last <= '9') || last == 'X'))
		return dd_fail(err, DD_EINVAL, NULL, "身份证号末位应为数字或X (last character must be a digit or X)");
	int y = (s[6] - '0') * 1000 + (s[7] - '0') * 100 + (s[8] - '0') * 10 + (s[9] - '0');
	int m = (s[10] - '0') * 10 + (s[11] - '0');
	int d = (s[12] - '0') * 10 + (s[13] - '0');
	if (!date_ymd_valid(y, m, d) || y < 1850)
		return dd_fail(err, DD_EINVAL, NULL, "身份证号中的出生日期不存在 (birth date does not exist)");
	if (idnum_check_char(s) != last)
		return dd_fail(err, DD_EINVAL, NULL, "身份证号校验码错误 (check digit mismatch)");
	memcpy(out->text, s, 17);
	out->text[17] = last;
	out->text[18] = '\0';
	out->birth = date_from_ymd(y, m, d);
	out->male = (s[16] - '0') % 2 == 1;
	return DD_OK;
}

bool idnum_province_known(const char *id)
{
	static const char *const provinces[] = {
	    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42",
	    "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
	};
	for (size_t i = 0; i < sizeof provinces / sizeof provinces[0]; i++)
		if (id[0] == provinces[i][0] && id[1] == provinces[i][1])
			return true;
	return false;
}

void idnum_mask(const char *id, char out[IDNUM_LEN + 1])
{
	size_t n = strnlen(id, IDNUM_LEN + 1);
	if (n != IDNUM_LEN) { /* not an 18-character number (old data, a foreign ID): hide all of it */
		memset(out, '*', IDNUM_LEN);
		out[IDNUM_LEN] = '\0';
		return;
	}
	memcpy(out, id, IDNUM_LEN);
	memset(out + 6, '*', 8);
	out[IDNUM_LEN] = '\0';
}
