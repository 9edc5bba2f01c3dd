/* ratelimit.c - the sliding-window limiter of ratelimit.h. */
#include "ratelimit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define KEY_MAX 48 /* an IPv6 address as text fits */
#define PROBES 8

struct slot {
	char key[KEY_MAX]; /* "" = free */
	int64_t last;	   /* the last event (for eviction) */
	unsigned head, n;  /* the ring: oldest at head, n events */
};

struct rate_limiter {
	pthread_mutex_t mu;
	unsigned limit, window;
	size_t cap; /* power of two */
	struct slot *slots;
	int64_t *rings; /* cap × limit times */
};

struct rate_limiter *rate_limiter_new(unsigned limit, unsigned window, size_t capacity)
{
	if (!limit || limit > RATE_LIMIT_MAX || !window || !capacity || capacity > (1u << 20))
		return NULL;
	size_t cap = PROBES;
	while (cap < capacity)
		cap *= 2;
	struct rate_limiter *rl = calloc(1, sizeof *rl);
	if (!rl)
		return NULL;
	rl->slots = calloc(cap, sizeof *rl->slots);
	rl->rings = calloc(cap * limit, sizeof *rl->rings);
	if (!rl->slots || !rl->rings) {
		free(rl->slots);
		free(rl->rings);
		free(rl);
		return NULL;
	}
	rl->limit = limit;
	rl->window = window;
	rl->cap = cap;
	pthread_mutex_init(&rl->mu, NULL);
	return rl;
}

void rate_limiter_free(struct rate_limiter *rl)
{
	if (!rl)
		return;
	pthread_mutex_destroy(&rl->mu);
	free(rl->slots);
	free(rl->rings);
	free(rl);
}

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

bool rate_limiter_hit(struct rate_limiter *rl, const char *key, int64_t now, unsigned *retry_after)
{
	if (!rl)
		return true;
	if (!key)
		key = "";
	char k[KEY_MAX];
	size_t kl = strlen(key);
	if (kl >= KEY_MAX)
		kl = KEY_MAX - 1;
	memcpy(k, key, kl);
	k[kl] = '\0';
	if (!k[0]) { /* no address: one shared key */
		k[0] = '-';
		k[1] = '\0';
		kl = 1;
	}
	pthread_mutex_lock(&rl->mu);
	size_t base = (size_t)hash(k) & (rl->cap - 1), found = SIZE_MAX, idlest = base;
	bool fresh = false;
	for (size_t i = 0; i < PROBES; i++) {
		size_t j = (base + i) & (rl->cap - 1);
		const struct slot *s = &rl->slots[j];
		if (!s->key[0]) { /* slots are never freed: the key is not further on */
			found = j;
			fresh = true;
			break;
		}
		if (strcmp(s->key, k) == 0) {
			found = j;
			break;
		}
		if (s->last < rl->slots[idlest].last)
			idlest = j;
	}
	if (found == SIZE_MAX) { /* all taken: the idlest key is forgotten */
		found = idlest;
		fresh = true;
	}
	if (fresh) {
		struct slot *s = &rl->slots[found];
		memcpy(s->key, k, kl + 1);
		s->head = s->n = 0;
		s->last = now;
	}
	struct slot *s = &rl->slots[found];
	int64_t *ring = rl->rings + found * rl->limit;
	bool ok = true;
	if (s->n == rl->limit) {
		int64_t oldest = ring[s->head];
		if (oldest > now - (int64_t)rl->window) {
			int64_t wait = oldest + (int64_t)rl->window - now;
			*retry_after = wait < 1 ? 1 : wait > 86400 * 7 ? 86400 * 7 : (unsigned)wait;
			ok = false;
		} else {
			ring[s->head] = now;
			s->head = (s->head + 1) % rl->limit;
		}
	} else {
		ring[(s->head + s->n) % rl->limit] = now;
		s->n++;
	}
	if (ok)
		s->last = now;
	pthread_mutex_unlock(&rl->mu);
	return ok;
}
