/* calendar.c - working days from holiday data. No I/O. */
#include "calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "json.h"

enum { DAY_RULE = 0, DAY_HOLIDAY = 1, DAY_WORKDAY = 2 };

static dd_status get_date(const struct json_value *obj, const char *key, dd_date *out, dd_error *err)
{
	const struct json_value *v = json_get(obj, key);
	if (!v || v->type != JSON_STRING)
		return dd_fail(err, DD_EINVAL, key, "缺少日期字符串 (missing date string)");
	if (date_parse(v->str, v->len, out, err))
		return dd_fail(err, DD_EINVAL, key, "%s", err->message);
	return DD_OK;
}

static dd_status scan_range(const struct json_value *list, bool ranges, dd_date *lo, dd_date *hi, dd_error *err)
{
	unsigned i = 0;
	for (const struct json_value *e = list ? list->child : NULL; e; e = e->next, i++) {
		dd_date a, b;
		dd_status rc;
		char idx[32];
		snprintf(idx, sizeof idx, "[%u]", i);
		if (e->type != JSON_OBJECT)
			rc = dd_fail(err, DD_EINVAL, NULL, "应为对象 (expected an object)");
		else if (ranges)
			rc = get_date(e, "from", &a, err) || get_date(e, "to", &b, err) ? DD_EINVAL : DD_OK;
		else
			rc = get_date(e, "date", &a, err);
		if (rc) {
			dd_error_prefix(err, idx);
			return rc;
		}
		if (!ranges)
			b = a;
		if (b < a || b - a > 366) {
			dd_fail(err, DD_EINVAL, "to", "结束日期早于开始日期或区间过长 (bad range)");
			dd_error_prefix(err, idx);
			return DD_EINVAL;
		}
		if (a < *lo)
			*lo = a;
		if (b > *hi)
			*hi = b;
	}
	return DD_OK;
}

dd_status calendar_load(struct calendar *cal, const char *text, size_t n, dd_error *err)
{
	struct arena a;
	arena_init(&a, 64 * 1024, 64 * 1024 * 1024);
	memset(cal, 0, sizeof *cal);
	struct json_value *root;
	dd_status rc = json_parse(text, n, &a, NULL, &root, err);
	if (rc)
		goto out;
	if (root->type != JSON_OBJECT) {
		rc = dd_fail(err, DD_EINVAL, "$", "日历应为 JSON 对象 (calendar must be an object)");
		goto out;
	}
	const struct json_value *hol = json_get(root, "holidays"), *work = json_get(root, "workdays");
	if ((hol && hol->type != JSON_ARRAY) || (work && work->type != JSON_ARRAY)) {
		rc = dd_fail(err, DD_EINVAL, hol && hol->type != JSON_ARRAY ? "holidays" : "workdays",
			     "应为数组 (expected an array)");
		goto out;
	}
	dd_date lo = INT32_MAX, hi = INT32_MIN;
	if ((rc = scan_range(hol, true, &lo, &hi, err))) {
		dd_error_prefix(err, "holidays");
		goto out;
	}
	if ((rc = scan_range(work, false, &lo, &hi, err))) {
		dd_error_prefix(err, "workdays");
		goto out;
	}
	if (lo > hi) {
		cal->first = 0;
		cal->last = -1;
		goto out;
	}
	int y, m, d;
	date_to_ymd(lo, &y, &m, &d);
	cal->first = date_from_ymd(y, 1, 1);
	date_to_ymd(hi, &y, &m, &d);
	cal->last = date_from_ymd(y, 12, 31);
	if (cal->last - cal->first > 366 * 200) {
		rc = dd_fail(err, DD_ELIMIT, "$", "日历跨度过大 (calendar spans too many years)");
		goto out;
	}
	cal->kind = calloc((size_t)(cal->last - cal->first + 1), 1);
	if (!cal->kind) {
		rc = dd_fail(err, DD_ENOMEM, "$", "内存不足 (out of memory)");
		goto out;
	}
	unsigned i = 0;
	for (const struct json_value *e = hol ? hol->child : NULL; e; e = e->next, i++) {
		dd_date from, to;
		(void)get_date(e, "from", &from, err);
		(void)get_date(e, "to", &to, err);
		for (dd_date t = from; t <= to; t++) {
			cal->kind[t - cal->first] = DAY_HOLIDAY;
			cal->holidays++;
		}
	}
	i = 0;
	for (const struct json_value *e = work ? work->child : NULL; e; e = e->next, i++) {
		dd_date t;
		(void)get_date(e, "date", &t, err);
		char field[48];
		snprintf(field, sizeof field, "workdays[%u].date", i);
		if (date_weekday(t) < 6) {
			rc = dd_fail(err, DD_EINVAL, field,
				     "调休上班日应为周末 (a make-up workday must fall on a weekend)");
			goto out;
		}
		if (cal->kind[t - cal->first] == DAY_HOLIDAY) {
			rc = dd_fail(err, DD_EINVAL, field, "调休上班日与假日重叠 (make-up workday inside a holiday)");
			goto out;
		}
		cal->kind[t - cal->first] = DAY_WORKDAY;
		cal->workdays++;
	}
	dd_error_clear(err);
out:
	if (rc)
		calendar_release(cal);
	arena_release(&a);
	return rc;
}

void calendar_release(struct calendar *cal)
{
	free(cal->kind);
	memset(cal, 0, sizeof *cal);
	cal->last = -1;
}

bool calendar_covers(const struct calendar *cal, dd_date t)
{
	return cal && cal->kind && t >= cal->first && t <= cal->last;
}

bool calendar_is_workday(const struct calendar *cal, dd_date t)
{
	if (calendar_covers(cal, t)) {
		uint8_t k = cal->kind[t - cal->first];
		if (k == DAY_HOLIDAY)
			return false;
		if (k == DAY_WORKDAY)
			return true;
	}
	return date_weekday(t) < 6;
}

dd_date calendar_add_workdays(const struct calendar *cal, dd_date start, int n)
{
	int step = n < 0 ? -1 : 1;
	dd_date t = start;
	for (int left = n < 0 ? -n : n; left > 0;) {
		t += step;
		if (calendar_is_workday(cal, t))
			left--;
	}
	return t;
}

int calendar_workdays_between(const struct calendar *cal, dd_date from, dd_date to)
{
	int count = 0;
	for (dd_date t = from + 1; t <= to; t++)
		count += calendar_is_workday(cal, t);
	return count;
}
