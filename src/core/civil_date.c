/* civil_date.c - day-number arithmetic (Howard Hinnant's civil algorithms).
 * No I/O. */
#include "civil_date.h"

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int date_days_in_month(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && leap(y) ? 29 : days[m - 1];
}

bool date_ymd_valid(int y, int m, int d)
{
	return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= date_days_in_month(y, m);
}

dd_date date_from_ymd(int y, int m, int d)
{
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void date_to_ymd(dd_date t, int *y, int *m, int *d)
{
	int z = t + 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

static int digits(const char *s, size_t n)
{
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

dd_status date_parse(const char *s, size_t n, dd_date *out, dd_error *err)
{
	if (n != 10 || s[4] != '-' || s[7] != '-')
		return dd_fail(err, DD_EINVAL, NULL, "日期格式应为 YYYY-MM-DD (invalid date format)");
	int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
	if (y < 0 || m < 0 || d < 0)
		return dd_fail(err, DD_EINVAL, NULL, "日期格式应为 YYYY-MM-DD (invalid date format)");
	if (!date_ymd_valid(y, m, d))
		return dd_fail(err, DD_EINVAL, NULL, "日期不存在 (no such date)");
	*out = date_from_ymd(y, m, d);
	return DD_OK;
}

dd_status month_parse(const char *s, size_t n, dd_month *out, dd_error *err)
{
	if (n != 7 || s[4] != '-')
		return dd_fail(err, DD_EINVAL, NULL, "月份格式应为 YYYY-MM (invalid month format)");
	int y = digits(s, 4), m = digits(s + 5, 2);
	if (y < 1 || m < 1 || m > 12)
		return dd_fail(err, DD_EINVAL, NULL, "月份不存在 (no such month)");
	*out = y * 12 + (m - 1);
	return DD_OK;
}

static void put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

static void put4(char *p, int v)
{
	put2(p, v / 100);
	put2(p + 2, v % 100);
}

size_t date_format(dd_date t, char buf[DATE_TEXT_MAX])
{
	int y, m, d;
	date_to_ymd(t, &y, &m, &d);
	put4(buf, y);
	buf[4] = '-';
	put2(buf + 5, m);
	buf[7] = '-';
	put2(buf + 8, d);
	buf[10] = '\0';
	return 10;
}

size_t month_format(dd_month mo, char buf[MONTH_TEXT_MAX])
{
	put4(buf, mo / 12);
	buf[4] = '-';
	put2(buf + 5, mo % 12 + 1);
	buf[7] = '\0';
	return 7;
}

int date_weekday(dd_date t)
{
	/* 1970-01-01 was a Thursday (4) */
	int w = (int)((t % 7 + 7 + 3) % 7); /* 0 = Monday */
	return w + 1;
}

dd_month date_month(dd_date t)
{
	int y, m, d;
	date_to_ymd(t, &y, &m, &d);
	return y * 12 + (m - 1);
}

dd_date date_add_months(dd_date t, int k)
{
	int y, m, d;
	date_to_ymd(t, &y, &m, &d);
	int mo = y * 12 + (m - 1) + k;
	y = mo / 12;
	m = mo % 12 + 1;
	int dim = date_days_in_month(y, m);
	return date_from_ymd(y, m, d > dim ? dim : d);
}

int date_age(dd_date birth, dd_date on)
{
	int by, bm, bd, y, m, d;
	date_to_ymd(birth, &by, &bm, &bd);
	date_to_ymd(on, &y, &m, &d);
	int age = y - by;
	if (m < bm || (m == bm && d < bd))
		age--;
	return age;
}
