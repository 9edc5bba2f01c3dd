/* children.h - the children's basic living allowance (孤儿、事实无人抚养儿童
 * 基本生活保障, issue 10, docs/children.md): the last month paid. Pure, no
 * I/O. */
#ifndef DD_CHILDREN_H
#define DD_CHILDREN_H

#include <stdbool.h>
#include <stddef.h>

#include "civil_date.h"

#define CHILDREN_EXIT_AGE 18

/* A period during which the postponement switch (children.exit_postponed)
 * is on: from its first day to its last day, both inclusive; open = still
 * on (no later dated value turns it off). */
struct children_period {
	dd_date from;
	dd_date to;
	bool open;
};

/* The child's 18th birthday (a 02-29 birthday falls on 03-01 in common
 * years, as date_age counts). */
dd_date children_adult_on(dd_date birth);

/* The last month the allowance is paid for a child born on birth.
 *  - Normally the month of the 18th birthday: the child exits the month after.
 *  - in_school and continue_in_school (children.continue_in_school): no end
 *    while in full-time education; *open_ended is set and the month returned
 *    is the month of the 18th birthday (the end is decided when schooling
 *    ends).
 *  - An 18th birthday inside a postponement period: the month after the
 *    period's last day; inside a period still open, *open_ended is set. */
dd_month children_last_month(dd_date birth, bool in_school, bool continue_in_school,
			     const struct children_period *postponed, size_t n, bool *open_ended);

#endif
