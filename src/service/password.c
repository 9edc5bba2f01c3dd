/* password.c - password rules and argon2id hashing. */
#include "password.h"

#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

_Static_assert(PASSWORD_HASH_MAX >= crypto_pwhash_STRBYTES, "hash buffer too small");

bool username_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > USERNAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c == 0x7f || c == '"' || c == '\\')
			return false;
	}
	return true;
}

/* Length of the UTF-8 sequence at p (n bytes left), 0 when invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	uint32_t c = p[0];
	size_t len;
	uint32_t min;
	if (c < 0x80)
		return 1;
	if ((c & 0xe0) == 0xc0) {
		len = 2, min = 0x80, c &= 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3, min = 0x800, c &= 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4, min = 0x10000, c &= 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return len;
}

static bool equal_ignoring_ascii_case(const char *a, size_t an, const char *b)
{
	if (!b || strlen(b) != an)
		return false;
	for (size_t i = 0; i < an; i++) {
		unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return true;
}

dd_status password_rules_check(const char *username, const char *pw, size_t n, dd_error *err)
{
	if (n > PASSWORD_MAX_BYTES)
		return dd_fail(err, DD_EINVAL, "password", "密码过长，最多 %d 字节", PASSWORD_MAX_BYTES);
	const unsigned char *p = (const unsigned char *)pw;
	size_t chars = 0;
	bool lower = false, upper = false, digit = false, other = false;
	for (size_t i = 0; i < n;) {
		size_t len = utf8_len(p + i, n - i);
		if (len == 0)
			return dd_fail(err, DD_EINVAL, "password", "密码含有无效的 UTF-8 字符");
		if (len == 1 && (p[i] < 0x20 || p[i] == 0x7f))
			return dd_fail(err, DD_EINVAL, "password", "密码不能包含控制字符");
		if (p[i] >= 'a' && p[i] <= 'z')
			lower = true;
		else if (p[i] >= 'A' && p[i] <= 'Z')
			upper = true;
		else if (p[i] >= '0' && p[i] <= '9')
			digit = true;
		else
			other = true;
		chars++;
		i += len;
	}
	if (chars < PASSWORD_RULE_MIN_CHARS)
		return dd_fail(err, DD_EINVAL, "password", "密码太短，至少需要 %d 个字符", PASSWORD_RULE_MIN_CHARS);
	if ((int)lower + (int)upper + (int)digit + (int)other < 3)
		return dd_fail(err, DD_EINVAL, "password", "密码须至少包含小写字母、大写字母、数字、其他符号中的三类");
	if (equal_ignoring_ascii_case(pw, n, username))
		return dd_fail(err, DD_EINVAL, "password", "密码不能与用户名相同");
	return DD_OK;
}

/* At most one hash per core at a time. */
static sem_t hash_slots;
static pthread_once_t hash_once = PTHREAD_ONCE_INIT;

static void hash_slots_init(void)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	if (cores < 1)
		cores = 1;
	if (cores > 64)
		cores = 64;
	sem_init(&hash_slots, 0, (unsigned)cores);
}

static void slot_take(void)
{
	pthread_once(&hash_once, hash_slots_init);
	while (sem_wait(&hash_slots) != 0)
		; /* EINTR */
}

static void slot_give(void)
{
	sem_post(&hash_slots);
}

dd_status password_hash(const char *pw, size_t n, char out[PASSWORD_HASH_MAX], dd_error *err)
{
	slot_take();
	int r = crypto_pwhash_str_alg(out, pw, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
				      crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13);
	slot_give();
	if (r != 0)
		return dd_fail(err, DD_ENOMEM, "password",
			       "密码哈希失败：内存不足 (password hashing ran out of memory)");
	return DD_OK;
}

bool password_verify(const char *hash, const char *pw, size_t n)
{
	if (!hash || strlen(hash) >= crypto_pwhash_STRBYTES)
		return false;
	slot_take();
	bool ok = crypto_pwhash_str_verify(hash, pw, n) == 0;
	slot_give();
	return ok;
}

/* a hash of a fixed string at the same limits, made once */
static char dummy_hash[PASSWORD_HASH_MAX];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_init(void)
{
	static const char text[] = "doudi-dummy-password";
	if (crypto_pwhash_str_alg(dummy_hash, text, sizeof text - 1, crypto_pwhash_OPSLIMIT_INTERACTIVE,
				  crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
		dummy_hash[0] = '\0';
}

void password_verify_dummy(const char *pw, size_t n)
{
	pthread_once(&dummy_once, dummy_init);
	if (dummy_hash[0])
		(void)password_verify(dummy_hash, pw, n);
}
