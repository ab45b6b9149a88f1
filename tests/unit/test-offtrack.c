/* test-offtrack.c: acknowledged lines to committable offsets (lib/kafka/offtrack.c). */
#include <stdint.h>
#include <string.h>

#include "kafka/offtrack.h"
#include "unit.h"

struct seen {
	int n;
	char topic[8][16];
	int32_t part[8];
	int64_t next[8];
};

static void
record(void *arg, const char *topic, int32_t partition, int64_t next)
{
	struct seen *s = arg;

	if (s->n < 8) {
		snprintf(s->topic[s->n], sizeof(s->topic[0]), "%s", topic);
		s->part[s->n] = partition;
		s->next[s->n] = next;
	}
	s->n++;
}

/* The commit offset of (t, p) as offtrack_each reports it, -2 if absent. */
static int64_t
next_of(struct offtrack *ot, int dirty_only, const char *t, int32_t p)
{
	struct seen s;
	int i;

	memset(&s, 0, sizeof(s));
	offtrack_each(ot, dirty_only, record, &s);
	for (i = 0; i < s.n && i < 8; i++)
		if (strcmp(s.topic[i], t) == 0 && s.part[i] == p)
			return s.next[i];
	return -2;
}

static void
ack_moves_offsets(void)
{
	struct offtrack ot;

	offtrack_init(&ot);
	CHECK(offtrack_assign(&ot, "t", 0) == 1);
	CHECK(offtrack_assign(&ot, "t", 1) == 1);
	offtrack_take(&ot, "t", 0, 10, 1);	/* line 1 */
	offtrack_take(&ot, "t", 1, 20, 1);	/* line 2 */
	offtrack_take(&ot, "t", 0, 11, 1);	/* line 3 */
	CHECK(offtrack_written(&ot) == 3);
	CHECK(offtrack_pending(&ot) == 3);
	/* Nothing acknowledged: nothing to commit. */
	CHECK(next_of(&ot, 1, "t", 0) == -2);
	CHECK(offtrack_ack(&ot, 1) == 1);
	CHECK(offtrack_acked(&ot) == 1);
	CHECK(next_of(&ot, 1, "t", 0) == 11);
	/* Reported once: clean until it moves again. */
	CHECK(next_of(&ot, 1, "t", 0) == -2);
	CHECK(offtrack_ack(&ot, 3) == 2);
	CHECK(next_of(&ot, 0, "t", 0) == 12);
	CHECK(next_of(&ot, 0, "t", 1) == 21);
	/* A lower count later moves nothing back. */
	CHECK(offtrack_ack(&ot, 2) == 0);
	CHECK(offtrack_acked(&ot) == 3);
	CHECK(offtrack_pending(&ot) == 0);
	offtrack_free(&ot);
}

static void
skipped_messages_follow_lines(void)
{
	struct offtrack ot;

	offtrack_init(&ot);
	offtrack_assign(&ot, "t", 0);
	offtrack_take(&ot, "t", 0, 5, 1);	/* line 1 */
	offtrack_take(&ot, "t", 0, 6, 0);	/* skipped: done with line 1 */
	offtrack_take(&ot, "t", 0, 7, 1);	/* line 2 */
	CHECK(offtrack_written(&ot) == 2);
	offtrack_ack(&ot, 1);
	CHECK(next_of(&ot, 1, "t", 0) == 7);
	offtrack_ack(&ot, 2);
	CHECK(next_of(&ot, 1, "t", 0) == 8);
	offtrack_free(&ot);
}

static void
revoked_partition_never_moves(void)
{
	struct offtrack ot;

	offtrack_init(&ot);
	offtrack_assign(&ot, "t", 0);
	offtrack_take(&ot, "t", 0, 100, 1);
	offtrack_revoke(&ot, "t", 0);
	/* Assigned again (another member had it meanwhile): not fresh. */
	CHECK(offtrack_assign(&ot, "t", 0) == 0);
	offtrack_take(&ot, "t", 0, 50, 1);
	/* The old entry's line is acknowledged: it must not move the offset. */
	offtrack_ack(&ot, 1);
	CHECK(next_of(&ot, 1, "t", 0) == -2);
	offtrack_ack(&ot, 2);
	CHECK(next_of(&ot, 1, "t", 0) == 51);
	/* A revoked partition is not reported at all. */
	offtrack_revoke(&ot, "t", 0);
	CHECK(next_of(&ot, 0, "t", 0) == -2);
	offtrack_free(&ot);
}

static void
eof_of_every_assigned(void)
{
	struct offtrack ot;

	offtrack_init(&ot);
	CHECK(!offtrack_all_eof(&ot));
	offtrack_assign(&ot, "a", 0);
	offtrack_assign(&ot, "b", 0);
	offtrack_set_eof(&ot, "a", 0, 1);
	CHECK(!offtrack_all_eof(&ot));
	offtrack_set_eof(&ot, "b", 0, 1);
	CHECK(offtrack_all_eof(&ot));
	/* A new message clears it. */
	offtrack_take(&ot, "b", 0, 1, 1);
	CHECK(!offtrack_all_eof(&ot));
	offtrack_revoke(&ot, "b", 0);
	CHECK(offtrack_all_eof(&ot));
	offtrack_free(&ot);
}

static void
many_entries_wrap_the_ring(void)
{
	struct offtrack ot;
	uint64_t i, last = 0;

	offtrack_init(&ot);
	offtrack_assign(&ot, "t", 3);
	for (i = 0; i < 5000; i++) {
		offtrack_take(&ot, "t", 3, (int64_t)i, 1);
		if (i % 7 == 6)
			offtrack_ack(&ot, last = i - 3);
	}
	CHECK(last == 4994 && offtrack_pending(&ot) == 5000 - last);
	offtrack_ack(&ot, 5000);
	CHECK(offtrack_pending(&ot) == 0);
	CHECK(next_of(&ot, 1, "t", 3) == 5000);
	offtrack_free(&ot);
}

int
main(void)
{
	TEST("acknowledged lines move each partition's commit offset", ack_moves_offsets());
	TEST("a skipped message is done with the line before it", skipped_messages_follow_lines());
	TEST("a revoked partition's old entries never move its offset", revoked_partition_never_moves());
	TEST("all_eof: every assigned partition at its end", eof_of_every_assigned());
	TEST("thousands of entries through the ring", many_entries_wrap_the_ring());
	return unit_done();
}
