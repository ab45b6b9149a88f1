/* reload.c: the plan of a --watch reload (see reload.h). */
#include "reload.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Open addressing over the running sites: slot holds index + 1. */
struct table {
	size_t *slot;
	size_t mask;
};

static void
table_init(struct table *t, size_t n)
{
	size_t size;

	for (size = 16; size < 2 * n + 1; size *= 2)
		;
	t->slot = xcalloc(size, sizeof(*t->slot));
	t->mask = size - 1;
}

static void
table_put(struct table *t, uint64_t h, size_t i)
{
	size_t j = h & t->mask;

	while (t->slot[j] != 0)
		j = (j + 1) & t->mask;
	t->slot[j] = i + 1;
}

/*
 * The first running site with hash h (as hashof gives it) not yet taken,
 * in order of index; RELOAD_NONE if none.
 */
static size_t
table_take(const struct table *t, uint64_t h, const struct reload_site *old,
    int bydef, unsigned char *taken)
{
	size_t j, best = RELOAD_NONE;

	for (j = h & t->mask; t->slot[j] != 0; j = (j + 1) & t->mask) {
		size_t i = t->slot[j] - 1;

		if (taken[i] || (bydef ? old[i].defhash : old[i].urlhash) != h)
			continue;
		if (best == RELOAD_NONE || i < best)
			best = i;
	}
	if (best != RELOAD_NONE)
		taken[best] = 1;
	return best;
}

void
reload_plan(struct reload_plan *p, const struct reload_site *old,
    size_t nold, const struct reload_site *new, size_t nnew)
{
	struct table bydef, byurl;
	unsigned char *taken;
	size_t i;

	memset(p, 0, sizeof(*p));
	p->keep = xreallocarray(NULL, nnew ? nnew : 1, sizeof(*p->keep));
	p->replaces = xreallocarray(NULL, nnew ? nnew : 1,
	    sizeof(*p->replaces));
	p->leave = xcalloc(nold ? nold : 1, 1);
	taken = xcalloc(nold ? nold : 1, 1);
	table_init(&bydef, nold);
	table_init(&byurl, nold);
	for (i = 0; i < nold; i++) {
		table_put(&bydef, old[i].defhash, i);
		table_put(&byurl, old[i].urlhash, i);
	}

	/* First the unchanged sites, so that a change never takes their place. */
	for (i = 0; i < nnew; i++) {
		p->keep[i] = table_take(&bydef, new[i].defhash, old, 1, taken);
		p->replaces[i] = RELOAD_NONE;
		if (p->keep[i] != RELOAD_NONE)
			p->kept++;
	}
	for (i = 0; i < nold; i++)
		p->leave[i] = !taken[i];
	for (i = 0; i < nnew; i++) {
		if (p->keep[i] != RELOAD_NONE)
			continue;
		p->replaces[i] = table_take(&byurl, new[i].urlhash, old, 0,
		    taken);
		if (p->replaces[i] != RELOAD_NONE)
			p->changed++;
		else
			p->added++;
	}
	p->removed = nold - p->kept - p->changed;
	free(taken);
	free(bydef.slot);
	free(byurl.slot);
}

void
reload_plan_free(struct reload_plan *p)
{
	free(p->keep);
	free(p->replaces);
	free(p->leave);
	memset(p, 0, sizeof(*p));
}
