/* arena.h - a bump allocator for short-lived memory (one household, one
 * request, one batch chunk), released in one call.
 *
 * Ownership: everything allocated from an arena lives until arena_reset or
 * arena_release; never free() it. Allocation failure returns NULL. */
#ifndef DD_ARENA_H
#define DD_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head; /* current block; older blocks chained behind */
	size_t block_size;	  /* default size of a new block */
	size_t limit;		  /* total bytes allowed, 0 = unlimited */
	size_t used_total;	  /* bytes held in blocks */
	unsigned char *cur, *lim; /* free space left in the head block */
};

void arena_init(struct arena *a, size_t block_size, size_t limit);
void *arena_alloc_slow(struct arena *a, size_t n) __attribute__((malloc));

/* Inline fast path: most allocations fit the current block. */
static inline __attribute__((malloc)) void *arena_alloc(struct arena *a, size_t n)
{
	const size_t align = _Alignof(max_align_t);
	if (n && n <= (size_t)(a->lim - a->cur)) {
		n = (n + align - 1) & ~(align - 1);
		if (n <= (size_t)(a->lim - a->cur)) {
			void *p = a->cur;
			a->cur += n;
			return p;
		}
	}
	return arena_alloc_slow(a, n);
}
void *arena_calloc(struct arena *a, size_t n, size_t size) __attribute__((malloc));
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* Frees all but the first block and rewinds it: memory is reused. */
void arena_reset(struct arena *a);
void arena_release(struct arena *a);

#endif
