/* ratelimit.h - a sliding-window limit per client address, in memory: at
 * most `limit` events in any `window` seconds per key. Each key keeps the
 * times of its last `limit` events (a ring), so the window is exact: an
 * event is allowed when fewer than limit happened in the last window
 * seconds, and a refusal says how many seconds until the oldest leaves the
 * window (Retry-After). A fixed table of keys (open addressing, 8 probes):
 * when full, the key idle the longest is forgotten. Thread-safe (one mutex).
 * The clock is passed in (seconds, monotonic), so the unit test can drive
 * it. No I/O. */
#ifndef DD_HTTP_RATELIMIT_H
#define DD_HTTP_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RATE_LIMIT_MAX 10000 /* events per window */

struct rate_limiter;

/* NULL on a bad argument (limit 0 or above RATE_LIMIT_MAX, window 0) or no
 * memory. capacity: keys remembered (rounded up to a power of two). */
struct rate_limiter *rate_limiter_new(unsigned limit, unsigned window, size_t capacity);
void rate_limiter_free(struct rate_limiter *rl);

/* Counts an event of key at now; true when allowed. Refused: false and
 * *retry_after the seconds (>= 1) until one is allowed; nothing counted. A
 * NULL limiter allows everything. */
bool rate_limiter_hit(struct rate_limiter *rl, const char *key, int64_t now, unsigned *retry_after);

#endif
