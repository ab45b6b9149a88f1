/* offtrack.c: acknowledged lines to committable offsets (see offtrack.h). */
#include "offtrack.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void
offtrack_init(struct offtrack *ot)
{
	memset(ot, 0, sizeof(*ot));
}

void
offtrack_free(struct offtrack *ot)
{
	size_t i;

	for (i = 0; i < ot->nparts; i++)
		free(ot->parts[i].topic);
	free(ot->parts);
	free(ot->ring);
	memset(ot, 0, sizeof(*ot));
}

/* Index of (topic, partition), added (unassigned) if new. */
static size_t
offtrack_part(struct offtrack *ot, const char *topic, int32_t partition)
{
	struct ot_part *p;
	size_t i;

	if (ot->lastpart < ot->nparts) {
		p = &ot->parts[ot->lastpart];
		if (p->partition == partition && strcmp(p->topic, topic) == 0)
			return ot->lastpart;
	}
	for (i = 0; i < ot->nparts; i++) {
		p = &ot->parts[i];
		if (p->partition == partition && strcmp(p->topic, topic) == 0)
			return ot->lastpart = i;
	}
	ot->parts = xreallocarray(ot->parts, ot->nparts + 1, sizeof(*ot->parts));
	p = &ot->parts[ot->nparts];
	memset(p, 0, sizeof(*p));
	p->topic = xstrdup(topic);
	p->partition = partition;
	p->next = -1;
	return ot->lastpart = ot->nparts++;
}

static void
grow(struct offtrack *ot)
{
	size_t ncap = ot->cap ? ot->cap * 2 : 1024, i;
	struct ot_entry *n = xreallocarray(NULL, ncap, sizeof(*n));

	for (i = 0; i < ot->count; i++)
		n[i] = ot->ring[(ot->head + i) % ot->cap];
	free(ot->ring);
	ot->ring = n;
	ot->cap = ncap;
	ot->head = 0;
}

void
offtrack_take(struct offtrack *ot, const char *topic, int32_t partition,
    int64_t offset, int wrote)
{
	size_t part = offtrack_part(ot, topic, partition);
	struct ot_entry *e;

	ot->parts[part].eof = 0;
	if (wrote)
		ot->written++;
	if (ot->count == ot->cap)
		grow(ot);
	e = &ot->ring[(ot->head + ot->count) % ot->cap];
	e->line = ot->written;
	e->offset = offset;
	e->part = (uint32_t)part;
	e->gen = ot->parts[part].gen;
	ot->count++;
}

size_t
offtrack_ack(struct offtrack *ot, uint64_t upto)
{
	size_t n = 0;

	if (upto > ot->acked)
		ot->acked = upto;
	while (ot->count > 0) {
		struct ot_entry *e = &ot->ring[ot->head];
		struct ot_part *p;

		if (e->line > ot->acked)
			break;
		p = &ot->parts[e->part];
		if (e->gen == p->gen && p->assigned && e->offset + 1 > p->next) {
			p->next = e->offset + 1;
			p->dirty = 1;
		}
		ot->head = (ot->head + 1) % ot->cap;
		ot->count--;
		n++;
	}
	return n;
}

int
offtrack_assign(struct offtrack *ot, const char *topic, int32_t partition)
{
	size_t i = offtrack_part(ot, topic, partition);
	struct ot_part *p = &ot->parts[i];
	int fresh = p->gen == 0 && !p->assigned;

	p->assigned = 1;
	p->eof = 0;
	p->dirty = 0;
	return fresh;
}

void
offtrack_revoke(struct offtrack *ot, const char *topic, int32_t partition)
{
	size_t i = offtrack_part(ot, topic, partition);
	struct ot_part *p = &ot->parts[i];

	p->gen++;
	p->assigned = 0;
	p->dirty = 0;
	p->eof = 0;
	p->next = -1;
}

void
offtrack_set_eof(struct offtrack *ot, const char *topic, int32_t partition,
    int eof)
{
	size_t i = offtrack_part(ot, topic, partition);

	ot->parts[i].eof = eof;
}

int
offtrack_all_eof(const struct offtrack *ot)
{
	size_t i;
	int any = 0;

	for (i = 0; i < ot->nparts; i++) {
		if (!ot->parts[i].assigned)
			continue;
		if (!ot->parts[i].eof)
			return 0;
		any = 1;
	}
	return any;
}

size_t
offtrack_each(struct offtrack *ot, int dirty_only,
    void (*fn)(void *arg, const char *topic, int32_t partition, int64_t next),
    void *arg)
{
	size_t i, n = 0;

	for (i = 0; i < ot->nparts; i++) {
		struct ot_part *p = &ot->parts[i];

		if (!p->assigned)
			continue;
		if (dirty_only) {
			if (!p->dirty || p->next < 0) {
				p->dirty = 0;
				continue;
			}
			p->dirty = 0;
		}
		fn(arg, p->topic, p->partition, p->next);
		n++;
	}
	return n;
}

uint64_t
offtrack_written(const struct offtrack *ot)
{
	return ot->written;
}

uint64_t
offtrack_acked(const struct offtrack *ot)
{
	return ot->acked;
}

size_t
offtrack_pending(const struct offtrack *ot)
{
	return ot->count;
}
