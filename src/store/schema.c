/* schema.c - the migrations in schema/, embedded into the binary with
 * .incbin (the path is relative to the directory make runs in, the repo
 * root). Adding a migration: one EMBED line and one table row. */
#include <stddef.h>

#include "store.h"

#define EMBED(sym, file)                                                                                               \
	__asm__(".section .rodata\n"                                                                                   \
		".balign 1\n"                                                                                          \
		".global " #sym "\n" #sym ":\n"                                                                        \
		".incbin \"" file "\"\n"                                                                               \
		".byte 0\n"                                                                                            \
		".previous\n");                                                                                        \
	extern const char sym[]

EMBED(dd_schema_001, "schema/001_init.sql");
EMBED(dd_schema_002, "schema/002_chongqing_regions.sql");
EMBED(dd_schema_003, "schema/003_accounts.sql");
EMBED(dd_schema_004, "schema/004_registry.sql");
EMBED(dd_schema_005, "schema/005_casework.sql");
EMBED(dd_schema_006, "schema/006_temporary.sql");
EMBED(dd_schema_007, "schema/007_read_indexes.sql");
EMBED(dd_schema_008, "schema/008_workbench_indexes.sql");
EMBED(dd_schema_009, "schema/009_online_applications.sql");
EMBED(dd_schema_010, "schema/010_payroll.sql");
EMBED(dd_schema_011, "schema/011_bank_templates.sql");
EMBED(dd_schema_012, "schema/012_epidemic.sql");
EMBED(dd_schema_013, "schema/013_payroll_sources.sql");
EMBED(dd_schema_014, "schema/014_payments_registry_keys.sql");
EMBED(dd_schema_015, "schema/015_deferred_indexes.sql");
EMBED(dd_schema_016, "schema/016_monitor.sql");
EMBED(dd_schema_017, "schema/017_alert_actions.sql");
EMBED(dd_schema_018, "schema/018_hotline.sql");
EMBED(dd_schema_019, "schema/019_visits_care.sql");
EMBED(dd_schema_020, "schema/020_statistics.sql");
EMBED(dd_schema_021, "schema/021_verification.sql");
EMBED(dd_schema_022, "schema/022_department_users.sql");
EMBED(dd_schema_023, "schema/023_referrals.sql");
EMBED(dd_schema_024, "schema/024_care_emergencies.sql");
EMBED(dd_schema_025, "schema/025_children.sql");
EMBED(dd_schema_026, "schema/026_online_authorisation.sql");
EMBED(dd_schema_027, "schema/027_online_children.sql");

static const struct store_migration migrations[] = {
    {1, "001_init", dd_schema_001, NULL, false},
    {2, "002_chongqing_regions", dd_schema_002, NULL, false},
    {3, "003_accounts", dd_schema_003, NULL, false},
    {4, "004_registry", dd_schema_004, NULL, false},
    {5, "005_casework", dd_schema_005, NULL, false},
    {6, "006_temporary", dd_schema_006, NULL, false},
    {7, "007_read_indexes", dd_schema_007, NULL, false},
    {8, "008_workbench_indexes", dd_schema_008, NULL, false},
    {9, "009_online_applications", dd_schema_009, NULL, false},
    {10, "010_payroll", dd_schema_010, "decision_lines", false},
    {11, "011_bank_templates", dd_schema_011, NULL, false},
    {12, "012_epidemic", dd_schema_012, "epidemic_patients", false},
    {13, "013_payroll_sources", dd_schema_013, "payroll_sources", false},
    {14, "014_payments_registry_keys", dd_schema_014, NULL, false},
    {15, "015_deferred_indexes", dd_schema_015, NULL, false},
    {16, "016_monitor", dd_schema_016, "dataset_kinds", false},
    {17, "017_alert_actions", dd_schema_017, "payment_holds", false},
    {18, "018_hotline", dd_schema_018, NULL, false},
    {19, "019_visits_care", dd_schema_019, "visits", false},
    {20, "020_statistics", dd_schema_020, "stats_monthly", false},
    {21, "021_verification", dd_schema_021, "verification_sources", false},
    {22, "022_department_users", dd_schema_022, "referral_offices", true},
    {23, "023_referrals", dd_schema_023, NULL, false},
    {24, "024_care_emergencies", dd_schema_024, NULL, false},
    {25, "025_children", dd_schema_025, NULL, true},
    {26, "026_online_authorisation", dd_schema_026, NULL, false},
    {27, "027_online_children", dd_schema_027, NULL, true},
};

const struct store_migration *store_migrations(size_t *n)
{
	*n = sizeof migrations / sizeof migrations[0];
	return migrations;
}

int store_schema_latest(void)
{
	return migrations[sizeof migrations / sizeof migrations[0] - 1].version;
}
