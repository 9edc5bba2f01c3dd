/* household_store.h - the one write path of whole households into the store,
 * shared by the import (household_import.c, thousands per transaction) and
 * the registry API (registry.c, one at a time): households, persons,
 * memberships, incomes, assets, expenditures and one audit row per household,
 * written with bulk inserts (COPY on PostgreSQL).
 *
 * It runs inside the caller's open db_begin transaction and checks nothing
 * the caller must decide: whether a person may join (not active in another
 * household), whether the household number is free, who may write where.
 * A violated unique index (a concurrent writer) fails the call; the caller
 * rolls back. */
#ifndef DD_SERVICE_HOUSEHOLD_STORE_H
#define DD_SERVICE_HOUSEHOLD_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/household.h"
#include "core/status.h"

struct db;

/* One household to store. The facts are ASSESS.md's (core/household.h):
 * region_sig, area, the members with their incomes and financial_assets,
 * assets and expenses (zero assets write no row; date and current are not
 * stored: they belong to an assessment, not to the registry). */
struct household_entry {
	const struct household *h;
	const char *household_no; /* household_no_len bytes */
	size_t household_no_len;
	const char *import_digest; /* NULL: made in the registry */
	const char *address;	   /* NULL = none */
	/* n_members ids: in, the stored person with that ID number (0 = a new
	 * person), who is then updated and loses earlier imported incomes; out,
	 * every member's person id */
	int64_t *person_ids;
	int64_t id; /* out: the household's new id */
};

struct household_store_options {
	const char *actor;     /* for the audit rows */
	const char *action;    /* "household.import", "household.create" */
	const char *source;    /* of incomes, assets, expenditures: "import", "declared" */
	const char *file;      /* the import file's name for the audit detail, or NULL */
	const char *now;       /* the time stamp of every row */
	const char *from_date; /* membership start, YYYY-MM-DD */
};

/* Writes the n households. Audit detail per household:
 * {"household_no", "members", "source"[, "file"]}, no ID numbers or names. */
dd_status household_store_write(struct db *db, struct household_entry *hh, size_t n,
				const struct household_store_options *o, dd_error *err) DD_MUST_CHECK;

#endif
