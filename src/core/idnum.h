/* idnum.h - resident identity numbers (GB 11643-1999, 18 characters).
 *
 * Checks: 17 digits then a check character (0-9 or X; a lower-case x is
 * accepted and normalised to X), the ISO 7064 MOD 11-2 check digit, and a
 * birth date (characters 7-14) that exists and is not before 1850. Whether the
 * birth date is after some assessment date is the caller's rule; whether the
 * 6-digit address part is a current region code is deliberately NOT checked
 * (a number keeps the code of the place where it was first issued). No I/O. */
#ifndef DD_IDNUM_H
#define DD_IDNUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "civil_date.h"
#include "status.h"

#define IDNUM_LEN 18

struct idnum {
	char text[IDNUM_LEN + 1]; /* normalised, upper-case X */
	dd_date birth;
	bool male; /* 17th digit odd */
};

dd_status idnum_parse(const char *s, size_t n, struct idnum *out, dd_error *err) DD_MUST_CHECK;
/* The check character for the first 17 digits. */
char idnum_check_char(const char digits17[17]);
/* Provinces of GB/T 2260 (first two digits of the address part). */
bool idnum_province_known(const char *id);
/* Masks for display: first 6 and last 4 kept, "500154********0019". */
void idnum_mask(const char *id, char out[IDNUM_LEN + 1]);

#endif
