/* test-schedule.c: per-site due times of --watch (lib/probe/schedule.c). */
#include <stdint.h>

#include "probe/schedule.h"
#include "unit.h"

#define S 1000000	/* one second in us */

static void
grid(void)
{
	struct sched s;
	struct sched_item a, b;
	int64_t first;

	sched_init(&s, 1000);
	CHECK(sched_next_due(&s) == INT64_MAX);
	sched_add(&s, &a, 42, 10 * S, 1000);
	first = a.due;
	CHECK(first >= 1000 && first < 1000 + 10 * S);
	CHECK(a.pos != SCHED_NOPOS && !a.inflight && sched_waiting(&s) == 1);
	/* Re-added later, the same hash lands on the same grid. */
	sched_remove(&s, &a);
	CHECK(a.pos == SCHED_NOPOS && sched_waiting(&s) == 0);
	sched_add(&s, &a, 42, 10 * S, 1000 + 95 * S);
	CHECK(a.due >= 1000 + 95 * S && a.due < 1000 + 105 * S);
	CHECK((a.due - first) % (10 * S) == 0);
	/* Intervals below 1 ms are raised to 1 ms. */
	sched_add(&s, &b, 7, 10, 1000);
	CHECK(b.interval == 1000);
	sched_free(&s);
}

static void
order_and_flight(void)
{
	struct sched s;
	struct sched_item it[50], *p;
	int64_t last = INT64_MIN;
	size_t i, n = 0;

	sched_init(&s, 0);
	for (i = 0; i < 50; i++)
		sched_add(&s, &it[i], i * 7919, (int64_t)(i % 5 + 1) * S, 0);
	CHECK(sched_waiting(&s) == 50);
	CHECK(sched_pop_due(&s, sched_next_due(&s) - 1) == NULL);
	/* Everything is due within 5 s; it comes out earliest first. */
	while ((p = sched_pop_due(&s, 5 * S)) != NULL) {
		CHECK(p->due >= last && p->inflight && p->pos == SCHED_NOPOS);
		last = p->due;
		n++;
	}
	CHECK(n == 50 && sched_waiting(&s) == 0 && s.started == 50);
	/* In flight, an item is not on the schedule: remove is a no-op. */
	sched_remove(&s, &it[0]);
	CHECK(sched_waiting(&s) == 0);
	sched_unpop(&s, &it[0]);
	CHECK(sched_waiting(&s) == 1 && !it[0].inflight);
	sched_free(&s);
}

static void
done_and_overrun(void)
{
	struct sched s;
	struct sched_item a;
	int64_t due;

	sched_init(&s, 0);
	sched_add(&s, &a, 1, 10 * S, 0);
	due = a.due;
	CHECK(sched_pop_due(&s, due + 2000) == &a);
	/* Done in time: the next grid point. */
	sched_done(&s, &a, due + 3 * S);
	CHECK(a.due == due + 10 * S && s.skipped == 0 && !a.inflight);
	/* Overran by 25 s: the latest grid point not after now, two skipped. */
	due = a.due;
	CHECK(sched_pop_due(&s, due) == &a);
	sched_done(&s, &a, due + 35 * S);
	CHECK(a.due == due + 30 * S && s.skipped == 2);
	CHECK(sched_next_due(&s) == a.due);
	/* The lateness of the first start (2 ms) was recorded. */
	CHECK(s.late_total.count == 2);
	sched_free(&s);
}

static void
lathist(void)
{
	struct lathist h;
	int64_t q;
	int i;

	lathist_reset(&h);
	CHECK(lathist_quantile(&h, 0.5) == 0);
	for (i = 1; i <= 100; i++)
		lathist_add(&h, i * 1000);	/* 1..100 ms */
	lathist_add(&h, -5);			/* counts as 0 */
	CHECK(h.count == 101);
	q = lathist_quantile(&h, 0.5);
	CHECK(q >= 50000 && q <= 50000 * 1.2);
	q = lathist_quantile(&h, 1.0);
	CHECK(q >= 100000 && q <= 100000 * 1.2);
	CHECK(lathist_quantile(&h, 0.0) == 0);
	lathist_reset(&h);
	CHECK(h.count == 0 && lathist_quantile(&h, 0.99) == 0);
	lathist_add(&h, INT64_MAX);		/* the last bucket, no overflow */
	CHECK(lathist_quantile(&h, 1.0) > 0);
}

int
main(void)
{
	TEST("schedule: a site's due times lie on its own grid, kept when re-added",
	    grid());
	TEST("schedule: due items come out earliest first; in flight is off the heap",
	    order_and_flight());
	TEST("schedule: done moves to the next grid point; an overrun skips",
	    done_and_overrun());
	TEST("schedule: lateness quantiles within a bucket (~19%)", lathist());
	return unit_done();
}
