/* calendar.h - the working-day calendar: weekends, public holidays and
 * make-up working days (调休), loaded from data (policy/calendar-cn.json),
 * never from code. Deadlines in working days are counted with it.
 *
 * Ownership: calendar_load allocates the day table; calendar_release frees it.
 * No I/O: the caller reads the file and passes its bytes. */
#ifndef DD_CALENDAR_H
#define DD_CALENDAR_H

#include <stdbool.h>
#include <stdint.h>

#include "civil_date.h"
#include "status.h"

struct calendar {
	dd_date first, last; /* days covered by the data (whole years) */
	uint8_t *kind;	     /* per day in [first, last]: 0 weekday rule, 1 holiday, 2 make-up workday */
	unsigned holidays, workdays;
};

/* Format: {"holidays":[{"from":"YYYY-MM-DD","to":"YYYY-MM-DD","name":"…"}…],
 *          "workdays":[{"date":"YYYY-MM-DD","name":"…"}…]}.
 * Refuses overlapping definitions and make-up days that are not weekends. */
dd_status calendar_load(struct calendar *cal, const char *json, size_t n, dd_error *err) DD_MUST_CHECK;
void calendar_release(struct calendar *cal);
/* True when the data covers the day's year (outside, only weekends count). */
bool calendar_covers(const struct calendar *cal, dd_date t);
bool calendar_is_workday(const struct calendar *cal, dd_date t);
/* The n-th working day after start (n ≥ 1); start itself is not counted.
 * n = 0 returns start. n < 0 counts backwards. */
dd_date calendar_add_workdays(const struct calendar *cal, dd_date start, int n);
/* Working days in (from, to]: how many deadlines' worth lie between. */
int calendar_workdays_between(const struct calendar *cal, dd_date from, dd_date to);

#endif
