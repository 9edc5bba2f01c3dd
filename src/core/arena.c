/* arena.c - bump allocation in chained blocks. No I/O.
 * The free space of the head block is a->cur..a->lim (the inline fast path in
 * arena.h bumps a->cur); older blocks are full and only wait to be freed. */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct arena_block {
	struct arena_block *prev;
	size_t size;
	_Alignas(max_align_t) unsigned char data[];
};

void arena_init(struct arena *a, size_t block_size, size_t limit)
{
	a->head = NULL;
	a->block_size = block_size ? block_size : 64 * 1024;
	a->limit = limit;
	a->used_total = 0;
	a->cur = a->lim = NULL;
}

static struct arena_block *block_new(struct arena *a, size_t need)
{
	size_t size = need > a->block_size ? need : a->block_size;
	if (size > SIZE_MAX - sizeof(struct arena_block))
		return NULL;
	if (a->limit && a->used_total + size > a->limit)
		return NULL;
	struct arena_block *b = malloc(sizeof *b + size);
	if (!b)
		return NULL;
	b->prev = a->head;
	b->size = size;
	a->head = b;
	a->used_total += size;
	a->cur = b->data;
	a->lim = b->data + size;
	return b;
}

void *arena_alloc_slow(struct arena *a, size_t n)
{
	const size_t align = _Alignof(max_align_t);
	if (n == 0)
		n = 1;
	if (n > SIZE_MAX - align)
		return NULL;
	n = (n + align - 1) & ~(align - 1);
	if (!a->cur || (size_t)(a->lim - a->cur) < n) {
		if (!block_new(a, n))
			return NULL;
	}
	void *p = a->cur;
	a->cur += n;
	return p;
}

void *arena_calloc(struct arena *a, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	void *p = arena_alloc(a, n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void arena_reset(struct arena *a)
{
	struct arena_block *b = a->head;
	if (!b)
		return;
	while (b->prev) {
		struct arena_block *prev = b->prev;
		a->used_total -= b->size;
		free(b);
		b = prev;
	}
	a->head = b;
	a->cur = b->data;
	a->lim = b->data + b->size;
}

void arena_release(struct arena *a)
{
	struct arena_block *b = a->head;
	while (b) {
		struct arena_block *prev = b->prev;
		free(b);
		b = prev;
	}
	a->head = NULL;
	a->used_total = 0;
	a->cur = a->lim = NULL;
}
