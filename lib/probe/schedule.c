/* schedule.c: a binary min-heap of per-site due times. */
#include <math.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "schedule.h"
#include "shard.h"
#include "util.h"

#define MIN_INTERVAL 1000	/* us */

void
sched_init(struct sched *s, int64_t epoch)
{
	memset(s, 0, sizeof(*s));
	s->epoch = epoch;
}

void
sched_free(struct sched *s)
{
	free(s->heap);
	s->heap = NULL;
	s->n = s->cap = 0;
}

static int
before(const struct sched_item *a, const struct sched_item *b)
{
	return a->due < b->due;
}

static void
place(struct sched *s, size_t i, struct sched_item *it)
{
	s->heap[i] = it;
	it->pos = (uint32_t)i;
}

static void
sift_up(struct sched *s, size_t i)
{
	struct sched_item *it = s->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!before(it, s->heap[parent]))
			break;
		place(s, i, s->heap[parent]);
		i = parent;
	}
	place(s, i, it);
}

static void
sift_down(struct sched *s, size_t i)
{
	struct sched_item *it = s->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= s->n)
			break;
		if (c + 1 < s->n && before(s->heap[c + 1], s->heap[c]))
			c++;
		if (!before(s->heap[c], it))
			break;
		place(s, i, s->heap[c]);
		i = c;
	}
	place(s, i, it);
}

static void
push(struct sched *s, struct sched_item *it)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1024;
		s->heap = xreallocarray(s->heap, s->cap, sizeof(*s->heap));
	}
	s->heap[s->n] = it;
	it->pos = (uint32_t)s->n;
	s->n++;
	sift_up(s, s->n - 1);
}

static void
delete_at(struct sched *s, size_t i)
{
	struct sched_item *gone = s->heap[i];

	gone->pos = SCHED_NOPOS;
	if (--s->n == i)
		return;
	place(s, i, s->heap[s->n]);
	if (i > 0 && before(s->heap[i], s->heap[(i - 1) / 2]))
		sift_up(s, i);
	else
		sift_down(s, i);
}

void
sched_add(struct sched *s, struct sched_item *it, uint64_t hash,
    int64_t interval, int64_t now)
{
	int64_t due;

	if (interval < MIN_INTERVAL)
		interval = MIN_INTERVAL;
	it->interval = interval;
	it->inflight = 0;
	/* Mixed again: the url hash's low bits already pick the shard. */
	due = s->epoch + (int64_t)(hash_mix(hash) % (uint64_t)interval);
	if (due < now)
		due += (now - due + interval - 1) / interval * interval;
	it->due = due;
	push(s, it);
}

void
sched_remove(struct sched *s, struct sched_item *it)
{
	if (it->pos != SCHED_NOPOS)
		delete_at(s, it->pos);
}

int64_t
sched_next_due(const struct sched *s)
{
	return s->n ? s->heap[0]->due : INT64_MAX;
}

struct sched_item *
sched_pop_due(struct sched *s, int64_t now)
{
	struct sched_item *it;

	if (s->n == 0 || s->heap[0]->due > now)
		return NULL;
	it = s->heap[0];
	delete_at(s, 0);
	it->inflight = 1;
	s->started++;
	lathist_add(&s->late, now - it->due);
	lathist_add(&s->late_total, now - it->due);
	return it;
}

void
sched_done(struct sched *s, struct sched_item *it, int64_t now)
{
	int64_t next = it->due + it->interval;

	if (next < now) {
		int64_t k = (now - next) / it->interval;
		s->skipped += (uint64_t)k;
		next += k * it->interval;
	}
	it->due = next;
	it->inflight = 0;
	push(s, it);
}

void
sched_unpop(struct sched *s, struct sched_item *it)
{
	it->inflight = 0;
	push(s, it);
}

size_t
sched_waiting(const struct sched *s)
{
	return s->n;
}

void
lathist_reset(struct lathist *h)
{
	memset(h, 0, sizeof(*h));
}

static unsigned
bucket_of(int64_t v)
{
	unsigned oct, sub, i;

	if (v <= 0)
		return 0;
	oct = 63 - (unsigned)__builtin_clzll((unsigned long long)v);
	if (oct >= 2)
		sub = (unsigned)(v >> (oct - 2)) & 3;
	else
		sub = (unsigned)(v << (2 - oct)) & 3;
	i = 1 + oct * 4 + sub;
	return i < LATHIST_BUCKETS ? i : LATHIST_BUCKETS - 1;
}

void
lathist_add(struct lathist *h, int64_t us)
{
	h->bucket[bucket_of(us)]++;
	h->count++;
}

int64_t
lathist_quantile(const struct lathist *h, double q)
{
	uint64_t want, seen = 0;
	unsigned i;

	if (h->count == 0)
		return 0;
	want = (uint64_t)ceil(q * (double)h->count);
	if (want == 0)
		want = 1;
	for (i = 0; i < LATHIST_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= want)
			break;
	}
	if (i == 0)
		return 0;
	i--;
	return (int64_t)ldexp(1.0 + (double)(i % 4 + 1) / 4.0, (int)(i / 4));
}
