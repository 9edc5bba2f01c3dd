/* civil_date.h - proleptic Gregorian dates as day numbers, months as month
 * numbers, strict "YYYY-MM-DD" / "YYYY-MM" parsing, month arithmetic and age.
 * Years 0001-9999 only. No I/O, no time zones: a civil date is a label. */
#ifndef DD_CIVIL_DATE_H
#define DD_CIVIL_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

typedef int32_t dd_date;  /* days since 1970-01-01 */
typedef int32_t dd_month; /* year × 12 + (month − 1) */

#define DATE_TEXT_MAX 11
#define MONTH_TEXT_MAX 8

bool date_ymd_valid(int y, int m, int d);
int date_days_in_month(int y, int m);
dd_date date_from_ymd(int y, int m, int d); /* caller ensures valid */
void date_to_ymd(dd_date t, int *y, int *m, int *d);

/* Parses exactly "YYYY-MM-DD" naming a real day. */
dd_status date_parse(const char *s, size_t n, dd_date *out, dd_error *err) DD_MUST_CHECK;
/* Parses exactly "YYYY-MM". */
dd_status month_parse(const char *s, size_t n, dd_month *out, dd_error *err) DD_MUST_CHECK;
size_t date_format(dd_date t, char buf[DATE_TEXT_MAX]);
size_t month_format(dd_month m, char buf[MONTH_TEXT_MAX]);

/* 1 = Monday … 7 = Sunday */
int date_weekday(dd_date t);
dd_month date_month(dd_date t);
/* The same day-of-month k months later, clamped to the month's last day
 * (01-31 + 1 month → 02-28 or 02-29). */
dd_date date_add_months(dd_date t, int k);
/* Whole years from birth to on (a 02-29 birthday is reached on 03-01 in
 * common years); negative when on < birth. */
int date_age(dd_date birth, dd_date on);

#endif
