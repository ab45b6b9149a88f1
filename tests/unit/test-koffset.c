/* test-koffset.c: kcat's -o start offset spec (lib/kafka/koffset.c). */
#include <librdkafka/rdkafka.h>

#include "kafka/koffset.h"
#include "unit.h"

static void
specs(void)
{
	struct koffset ko;
	char err[128];

	CHECK(koffset_parse(&ko, "beginning", err, sizeof(err)) == 0);
	CHECK(ko.kind == KOFF_BEGIN &&
	    koffset_start(&ko) == RD_KAFKA_OFFSET_BEGINNING);
	CHECK(koffset_parse(&ko, "end", err, sizeof(err)) == 0);
	CHECK(ko.kind == KOFF_END && koffset_start(&ko) == RD_KAFKA_OFFSET_END);
	CHECK(koffset_parse(&ko, "stored", err, sizeof(err)) == 0);
	CHECK(ko.kind == KOFF_STORED &&
	    koffset_start(&ko) == RD_KAFKA_OFFSET_STORED);
	CHECK(koffset_parse(&ko, "42", err, sizeof(err)) == 0);
	CHECK(ko.kind == KOFF_ABS && ko.val == 42 && koffset_start(&ko) == 42);
	CHECK(koffset_parse(&ko, "0", err, sizeof(err)) == 0);
	CHECK(ko.kind == KOFF_ABS && koffset_start(&ko) == 0);
	CHECK(koffset_parse(&ko, "-10", err, sizeof(err)) == 0);
	CHECK(ko.kind == KOFF_TAIL && ko.val == 10 &&
	    koffset_start(&ko) == RD_KAFKA_OFFSET_TAIL(10));
	CHECK(koffset_parse(&ko, "s@1700000000000", err, sizeof(err)) == 0);
	CHECK(ko.kind == KOFF_TIME && ko.val == 1700000000000LL);
	ko.kind = KOFF_DEFAULT;
	CHECK(koffset_start(&ko) == RD_KAFKA_OFFSET_BEGINNING);
	/* e@ms is the end: the start set before stays. */
	CHECK(koffset_parse(&ko, "s@1700000000000", err, sizeof(err)) == 0);
	ko.stop_ms = 0;
	CHECK(koffset_parse(&ko, "e@1700000001000", err, sizeof(err)) == 0);
	CHECK(ko.kind == KOFF_TIME && ko.val == 1700000000000LL &&
	    ko.stop_ms == 1700000001000LL);
}

static void
bad_specs(void)
{
	static const char *const bad[] = {
		"", "begin", "END", "x1", "1x", "s@", "s@-1", "s@x",
		"99999999999999999999", "--1", "e@", "e@0", "e@x", "e@-5",
	};
	struct koffset ko;
	char err[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (!CHECK(koffset_parse(&ko, bad[i], err, sizeof(err)) == -1))
			printf("#   \"%s\" accepted\n", bad[i]);
		CHECK(strncmp(err, "expected ", 9) == 0);
	}
}

int
main(void)
{
	TEST("koffset: beginning, end, stored, N, -N, s@ms and e@ms", specs());
	TEST("koffset: anything else is refused with what is expected",
	    bad_specs());
	return unit_done();
}
