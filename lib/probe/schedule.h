/*
 * schedule.h: per-site due times for wm-probe --watch.
 *
 * A binary min-heap of items ordered by due time, on the monotonic clock in
 * microseconds. An item is in the heap while it waits for its next probe and
 * out of it while its probe is in flight, so one site never has two probes
 * running. Each site keeps a fixed grid of due times (phase + k * interval)
 * derived from a stable hash, so cadences neither drift nor burst together.
 * The caller owns the items (embed a struct sched_item in its own per-site
 * record); the schedule owns only its heap array and its statistics.
 */
#ifndef WEBMON_SCHEDULE_H
#define WEBMON_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

#define SCHED_NOPOS UINT32_MAX

/* One site's place in the schedule; embedded in the caller's record. */
struct sched_item {
	int64_t due;		/* next (or current, while in flight) due time, us */
	int64_t interval;	/* us, > 0 */
	uint32_t pos;		/* index in the heap, SCHED_NOPOS when not in it */
	unsigned char inflight;	/* started and not yet done */
};

/*
 * Lateness histogram: log-scale buckets of microseconds, four per octave
 * (about 19% wide), from 1 us to about 12 days. Fixed size, no allocation.
 */
#define LATHIST_BUCKETS 168
struct lathist {
	uint64_t count;
	uint64_t bucket[LATHIST_BUCKETS];
};

struct sched {
	struct sched_item **heap;	/* owned array of borrowed items */
	size_t n, cap;
	int64_t epoch;		/* origin of every site's grid, us */
	uint64_t started, skipped;
	struct lathist late, late_total;	/* since last stats; since start */
};

/* Empty schedule whose grids start at epoch (monotonic us). */
void sched_init(struct sched *s, int64_t epoch);
/* Free the heap array; the items belong to the caller. */
void sched_free(struct sched *s);

/*
 * Put a new item on the schedule: its first due time is the first point of
 * its grid (epoch + phase + k * interval, phase derived from hash) not
 * before now, so a site keeps the same phase when it is re-added.
 * interval is in us; values below 1 ms are raised to 1 ms.
 */
void sched_add(struct sched *s, struct sched_item *it, uint64_t hash,
    int64_t interval, int64_t now);
/* Take an item off the schedule (no-op while it is in flight). */
void sched_remove(struct sched *s, struct sched_item *it);
/* Due time of the earliest waiting item, or INT64_MAX when none waits. */
int64_t sched_next_due(const struct sched *s);
/*
 * Pop the earliest item if it is due at now, mark it in flight and record
 * its lateness (now - due); NULL when nothing is due.
 */
struct sched_item *sched_pop_due(struct sched *s, int64_t now);
/*
 * The item's probe finished at now: put it back on its grid. Its next due
 * time is due + interval; if that already passed (the probe overran), the
 * latest grid point not after now, so it starts at once and the grid points
 * that passed before it are counted in s->skipped.
 */
void sched_done(struct sched *s, struct sched_item *it, int64_t now);
/* Put an in-flight item back without a probe having run (start failed). */
void sched_unpop(struct sched *s, struct sched_item *it);
/* Number of items waiting in the heap. */
size_t sched_waiting(const struct sched *s);

/* Forget every sample. */
void lathist_reset(struct lathist *h);
/* Record one lateness in us (negative counts as 0). */
void lathist_add(struct lathist *h, int64_t us);
/* Upper bound in us of the bucket holding quantile q (0..1); 0 when empty. */
int64_t lathist_quantile(const struct lathist *h, double q);

#endif
