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

/*
 * The fields are offtrack's own: callers use the functions below only.
 */
void offtrack_init(struct offtrack *ot);
/* Free everything; ot can be initialised again. */
void offtrack_free(struct offtrack *ot);
/*
 * A message of (topic, partition) at offset was taken; wrote says whether
 * it became a line (else it is done once every line before it is).
 */
void offtrack_take(struct offtrack *ot, const char *topic, int32_t partition,
    int64_t offset, int wrote);
/* Retire entries up to line count upto; returns how many were retired. */
size_t offtrack_ack(struct offtrack *ot, uint64_t upto);
/*
 * (topic, partition) is assigned; returns 1 if this process never had it
 * before (an explicit start offset applies), else 0.
 */
int offtrack_assign(struct offtrack *ot, const char *topic, int32_t partition);
/* Forget a revoked partition's pending entries and commit offset. */
void offtrack_revoke(struct offtrack *ot, const char *topic, int32_t partition);
/* Mark (topic, partition) at its end (eof 1) or not (0), for -e. */
void offtrack_set_eof(struct offtrack *ot, const char *topic,
    int32_t partition, int eof);
/* 1 when at least one partition is assigned and every assigned one is at its end. */
int offtrack_all_eof(const struct offtrack *ot);
/*
 * Call fn for each assigned partition; with dirty_only, only those whose
 * commit offset moved since the last such call (next is that offset, else
 * -1), and mark them clean. Returns the number of calls.
 */
size_t offtrack_each(struct offtrack *ot, int dirty_only,
    void (*fn)(void *arg, const char *topic, int32_t partition, int64_t next),
    void *arg);
/* Lines written, highest acknowledged count, entries not retired yet. */
uint64_t offtrack_written(const struct offtrack *ot);
uint64_t offtrack_acked(const struct offtrack *ot);
size_t offtrack_pending(const struct offtrack *ot);

#endif
