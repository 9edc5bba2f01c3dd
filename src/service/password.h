/* password.h - account passwords: the rules for new passwords (pure), and
 * argon2id hashing and verification through libsodium (crypto_pwhash_str at
 * the interactive limits), shared by `doudi init` and the account service.
 *
 * A hash costs ~64 MiB and ~0.1 s: at most one per core runs at a time (a
 * semaphore), so a burst of logins cannot exhaust memory. Call sodium_init()
 * before hashing. Passwords are never logged or copied beyond the call. */
#ifndef DD_SERVICE_PASSWORD_H
#define DD_SERVICE_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#include "core/status.h"

#define PASSWORD_RULE_MIN_CHARS 10
#define PASSWORD_MAX_BYTES 1024
#define PASSWORD_HASH_MAX 128 /* >= crypto_pwhash_STRBYTES */
#define USERNAME_MAX 64

/* A user name: 1-64 bytes, no whitespace, control characters, quotes or
 * backslashes. */
bool username_valid(const char *s);

/* The rules for a password set through the account service: at least 10
 * characters (UTF-8 code points), at most 1024 bytes, valid UTF-8 without
 * control characters, characters from at least 3 of the 4 classes (lower
 * case, upper case, digits, others), and not the user name (ignoring ASCII
 * case). DD_EINVAL with field "password" and a Chinese message otherwise. */
dd_status password_rules_check(const char *username, const char *pw, size_t n, dd_error *err) DD_MUST_CHECK;

/* argon2id hash of pw[0..n) into out (NUL-terminated). */
dd_status password_hash(const char *pw, size_t n, char out[PASSWORD_HASH_MAX], dd_error *err) DD_MUST_CHECK;
/* True when pw matches the stored hash. */
bool password_verify(const char *hash, const char *pw, size_t n);
/* Spends the time of one verification without a stored hash, so an unknown
 * user name answers as slowly as a known one. */
void password_verify_dummy(const char *pw, size_t n);

#endif
