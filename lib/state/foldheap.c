/*
 * foldheap.c: the stale heap of a fold, its targets ordered by the ts of
 * their last result, least recent first.
 */
#include <stdlib.h>

#include "state/fold.h"
#include "state/foldint.h"
#include "util.h"

static void
heap_swap(struct fold *f, size_t a, size_t b)
{
	struct target *t = f->heap[a];

	f->heap[a] = f->heap[b];
	f->heap[b] = t;
	f->heap[a]->heapi = a;
	f->heap[b]->heapi = b;
}

static void
heap_fix(struct fold *f, size_t i)
{
	size_t l, m;

	while (i > 0 && f->heap[(i - 1) / 2]->last_us > f->heap[i]->last_us) {
		heap_swap(f, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	for (;;) {
		l = 2 * i + 1, m = i;
		if (l < f->nheap && f->heap[l]->last_us < f->heap[m]->last_us)
			m = l;
		if (l + 1 < f->nheap && f->heap[l + 1]->last_us < f->heap[m]->last_us)
			m = l + 1;
		if (m == i)
			return;
		heap_swap(f, i, m);
		i = m;
	}
}

static void
heap_push(struct fold *f, struct target *t)
{
	if (f->nheap == f->capheap) {
		f->capheap = f->capheap ? 2 * f->capheap : 1024;
		f->heap = xreallocarray(f->heap, f->capheap, sizeof *f->heap);
	}
	t->heapi = f->nheap;
	f->heap[f->nheap++] = t;
	heap_fix(f, t->heapi);
}

void
fold_heap_update(struct fold *f, struct target *t)
{
	if (t->heapi == (size_t)-1)
		heap_push(f, t);
	else
		heap_fix(f, t->heapi);
}

struct target *
fold_heap_pop(struct fold *f)
{
	struct target *t = f->heap[0];

	heap_swap(f, 0, --f->nheap);
	if (f->nheap > 0)
		heap_fix(f, 0);
	t->heapi = (size_t)-1;
	return t;
}
