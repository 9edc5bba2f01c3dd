/* region.h - administrative region codes as prefixes.
 *
 * Levels are digits 1-2 (province), 3-4 (city), 5-6 (county), 7-9
 * (township), 10-12 (village). The significant form drops trailing all-zero
 * levels: "500000" → "50", "500154000000" → "500154", "000000" → "".
 * A scope covers a code when the scope's significant form is a prefix of the
 * code's: one rule for policy lookup and for who may see what. No I/O. */
#ifndef DD_REGION_H
#define DD_REGION_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

#define REGION_MAX 12
#define REGION_TEXT_MAX (REGION_MAX + 1)

/* Validates a code of min_len..12 digits (0 = allow ""), writes its
 * significant form into sig. */
dd_status region_parse(const char *s, size_t n, size_t min_len, char sig[REGION_TEXT_MAX], dd_error *err) DD_MUST_CHECK;
/* Significant form of an already-validated digit string. Returns length. */
size_t region_significant(const char *code, size_t n, char sig[REGION_TEXT_MAX]);
/* True when scope (significant form) is a prefix of code (significant form). */
bool region_covers(const char *scope_sig, const char *code_sig);
/* Level of a significant form: 0 national, 1 province … 5 village. */
int region_level(const char *sig);
/* Writes the parent's significant form (one level up); false at national. */
bool region_parent(const char *sig, char parent[REGION_TEXT_MAX]);
/* Pads a significant form to the 6-, 9- or 12-digit code of its level. */
size_t region_full_code(const char *sig, char out[REGION_TEXT_MAX]);

#endif
