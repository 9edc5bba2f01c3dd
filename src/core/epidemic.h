/* epidemic.h - epidemic patient aid (RULES.md "Subsidies and temporary
 * assistance"; DOMAIN.md §3, 004 §一(五)): temp.covid_multiple × S per
 * month-period counted from the day of diagnosis; a period that has begun
 * on or before the day of discharge counts whole. Pure: no I/O.
 *
 * Period k (k = 0, 1, …) begins on the diagnosis day k months later, always
 * counted from the diagnosis date itself and clamped to the month's last day
 * (date_add_months): diagnosed 01-31 → 01-31, 02-29 (02-28), 03-31, 04-30…;
 * a short month never pulls the later periods back to the 28th.
 * Diagnosed 2020-02-03, discharged 2020-03-10 → periods from 02-03 and 03-03
 * → 2; discharged the day of diagnosis → 1; discharged on 03-03 → 2 (the
 * second period begins on the discharge day). */
#ifndef DD_CORE_EPIDEMIC_H
#define DD_CORE_EPIDEMIC_H

#include <stdbool.h>
#include <stdint.h>

#include "civil_date.h"
#include "money.h"
#include "status.h"

/* The first day of period k (k ≥ 0). */
dd_date epidemic_period_start(dd_date diagnosed, int k);

/* How many periods have begun on or before `last` (0 when last < diagnosed). */
int epidemic_periods_begun(dd_date diagnosed, dd_date last);

/* The periods of a stay: diagnosed → discharged (has_discharge false: still
 * in hospital, counted through `through`, e.g. the end of the month paid).
 * DD_EINVAL (field "discharged_on") when the discharge precedes the diagnosis. */
dd_status epidemic_periods(dd_date diagnosed, bool has_discharge, dd_date discharged, dd_date through, int *periods,
			   dd_error *err) DD_MUST_CHECK;

/* The aid of one period: multiple × standard (fen). DD_EINVAL when the
 * standard is not positive or the multiple is outside 1..100, DD_ERANGE on
 * overflow. */
dd_status epidemic_period_amount(fen_t standard, int64_t multiple, fen_t *amount, dd_error *err) DD_MUST_CHECK;

#endif
