/* children.c - the last month of the children's allowance. No I/O. */
#include "children.h"

dd_date children_adult_on(dd_date birth)
{
	int y, m, d;
	date_to_ymd(birth, &y, &m, &d);
	y += CHILDREN_EXIT_AGE;
	if (m == 2 && d == 29 && !date_ymd_valid(y, 2, 29))
		return date_from_ymd(y, 3, 1);
	return date_from_ymd(y, m, d);
}

dd_month children_last_month(dd_date birth, bool in_school, bool continue_in_school,
			     const struct children_period *postponed, size_t n, bool *open_ended)
{
	dd_date adult = children_adult_on(birth);
	dd_month last = date_month(adult);
	*open_ended = false;
	if (in_school && continue_in_school) {
		*open_ended = true;
		return last;
	}
	for (size_t i = 0; i < n; i++) {
		const struct children_period *p = &postponed[i];
		if (adult < p->from || (!p->open && adult > p->to))
			continue;
		if (p->open) {
			*open_ended = true;
			return last;
		}
		dd_month after = date_month(p->to) + 1;
		if (after > last)
			last = after;
	}
	return last;
}
