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

size_t
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
offtrack_push(struct offtrack *ot, size_t part, int64_t offset, uint64_t line)
{
	struct ot_entry *e;

	if (ot->count == ot->cap)
		grow(ot);
	e = &ot->ring[(ot->head + ot->count) % ot->cap];
	e->line = line;
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

void
offtrack_drop(struct offtrack *ot, size_t part)
{
	struct ot_part *p = &ot->parts[part];

	p->gen++;
	p->assigned = 0;
	p->dirty = 0;
	p->eof = 0;
	p->next = -1;
}
