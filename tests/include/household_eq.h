/* household_eq.h - field-by-field equality of two struct household, for the
 * tests that hold household_scan to json_parse + household_read. Pointers
 * are compared by what they point to. Header-only: the unit test and the
 * fuzz target both include it. */
#ifndef DD_TEST_HOUSEHOLD_EQ_H
#define DD_TEST_HOUSEHOLD_EQ_H

#include <stdbool.h>
#include <string.h>

#include "core/household.h"

static inline bool hh_str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static inline bool hh_member_eq(const struct member *a, const struct member *b)
{
	if (strcmp(a->id.text, b->id.text) != 0 || a->id.birth != b->id.birth || a->id.male != b->id.male ||
	    !hh_str_eq(a->name, b->name) || a->relation != b->relation || a->disability_grade != b->disability_grade ||
	    a->disability_kind != b->disability_kind || a->severe_illness != b->severe_illness ||
	    a->labor_capacity != b->labor_capacity || a->self_care != b->self_care || a->in_school != b->in_school ||
	    a->supporters != b->supporters || a->financial_assets != b->financial_assets ||
	    a->n_incomes != b->n_incomes || !a->incomes != !b->incomes)
		return false;
	for (size_t i = 0; i < a->n_incomes; i++) {
		const struct income *x = &a->incomes[i], *y = &b->incomes[i];
		if (x->type != y->type || x->amount != y->amount || x->yearly != y->yearly || x->imputed != y->imputed)
			return false;
	}
	return true;
}

static inline bool household_eq(const struct household *a, const struct household *b)
{
	if (strcmp(a->region, b->region) != 0 || strcmp(a->region_sig, b->region_sig) != 0 || a->area != b->area ||
	    a->date != b->date || a->has_current != b->has_current ||
	    !hh_str_eq(a->current_programme, b->current_programme) || a->current_benefit != b->current_benefit ||
	    a->has_rise_month != b->has_rise_month || (a->has_rise_month && a->rise_month != b->rise_month) ||
	    a->n_members != b->n_members || a->assets_financial != b->assets_financial || a->vehicles != b->vehicles ||
	    a->extra_houses != b->extra_houses || a->n_expenses != b->n_expenses || !a->expenses != !b->expenses)
		return false;
	for (size_t i = 0; i < a->n_members; i++)
		if (!hh_member_eq(&a->members[i], &b->members[i]))
			return false;
	for (size_t i = 0; i < a->n_expenses; i++) {
		const struct expense *x = &a->expenses[i], *y = &b->expenses[i];
		if (x->type != y->type || x->amount != y->amount || x->yearly != y->yearly)
			return false;
	}
	return true;
}

#endif
