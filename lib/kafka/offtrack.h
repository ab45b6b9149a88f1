/*
 * offtrack.h: which Kafka offsets may be committed, given the lines written
 * so far and the cumulative count of them the sink has acknowledged.
 *
 * Every message taken from Kafka becomes an entry (line number, partition,
 * offset) in a FIFO, in output order. A message that produced no line (it
 * was skipped) gets the number of the last line written before it, so it is
 * done as soon as everything before it is. offtrack_ack(N) retires every
 * entry up to line N; a partition's commit offset is then the offset of its
 * last retired message plus one. A revoked partition is dropped by bumping
 * its generation: its entries stay in the FIFO (the sink still counts their
 * lines) but no longer move its offset.
 */
#ifndef WEBMON_OFFTRACK_H
#define WEBMON_OFFTRACK_H

#include <stddef.h>
#include <stdint.h>

struct ot_entry {
	uint64_t line;
	int64_t offset;
	uint32_t part;		/* index into parts[] */
	uint32_t gen;		/* parts[part].gen when the message was taken */
};

struct ot_part {
	char *topic;		/* owned */
	int32_t partition;
	uint32_t gen;
	int assigned;
	int dirty;		/* next moved since offtrack_take_dirty() */
	int eof;		/* reached the end of the partition (for -e) */
	int64_t next;		/* offset to commit, -1 when none */
};

struct offtrack {
	struct ot_entry *ring;	/* owned; cap entries, count from head */
	size_t head, count, cap;
	struct ot_part *parts;	/* owned */
	size_t nparts;
	uint64_t written;	/* lines written so far */
	uint64_t acked;		/* highest acknowledged count */
	size_t lastpart;	/* cache for offtrack_part() */
};

void offtrack_init(struct offtrack *ot);
/* Free everything; ot can be initialised again. */
void offtrack_free(struct offtrack *ot);
/* Index of (topic, partition), added (unassigned) if new. */
size_t offtrack_part(struct offtrack *ot, const char *topic, int32_t partition);
/* Record a message of part at offset, done with line number line. */
void offtrack_push(struct offtrack *ot, size_t part, int64_t offset,
    uint64_t line);
/* Retire entries up to line count upto; returns how many were retired. */
size_t offtrack_ack(struct offtrack *ot, uint64_t upto);
/* Forget part's pending entries and commit offset (partition revoked). */
void offtrack_drop(struct offtrack *ot, size_t part);
/* Entries not retired yet. */
static inline size_t offtrack_pending(const struct offtrack *ot) { return ot->count; }

#endif
