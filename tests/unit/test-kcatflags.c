/* test-kcatflags.c: kcat's -m and the refused kcat flags (lib/kafka/kcatflags.c). */
#include <stdlib.h>

#include "kafka/kcatflags.h"
#include "unit.h"

static void
wait_flag(void)
{
	char err[256], *t;

	t = kcatflag_tag('m', "2.5", err, sizeof(err));
	CHECK(t != NULL && strcmp(t, "Xwebmon.connect.timeout.ms=2500") == 0);
	free(t);
	/* Below a millisecond is still a limit, not "no limit". */
	t = kcatflag_tag('m', "0.0001", err, sizeof(err));
	CHECK(t != NULL && strcmp(t, "Xwebmon.connect.timeout.ms=1") == 0);
	free(t);
	CHECK(kcatflag_tag('m', "0", err, sizeof(err)) == NULL);
	CHECK(strstr(err, "expected seconds above 0") != NULL);
	CHECK(kcatflag_tag('m', "soon", err, sizeof(err)) == NULL);
	CHECK(kcatflag_tag('m', "-1", err, sizeof(err)) == NULL);
}

static void
refused(void)
{
	const char *m;

	m = kcatflag_unsupported('z', 0);
	CHECK(m != NULL && strncmp(m, "kcat's -z is not supported", 26) == 0);
	m = kcatflag_unsupported('G', 1);
	CHECK(m != NULL && strstr(m, "group") != NULL);
	/* The producer takes -H, -l, -T and -Z now. */
	CHECK(kcatflag_unsupported('H', 1) == NULL);
	CHECK(kcatflag_unsupported('Z', 1) == NULL);
	/* A flag of the other side names where it belongs. */
	m = kcatflag_unsupported('o', 1);
	CHECK(m != NULL && strstr(m, "consumer flag") != NULL);
	m = kcatflag_unsupported('P', 0);
	CHECK(m != NULL && strstr(m, "wm-kafka-pub") != NULL);
	/* The consumer takes -o, the producer -p; letters kcat lacks are not named. */
	CHECK(kcatflag_unsupported('o', 0) == NULL);
	CHECK(kcatflag_unsupported('p', 1) == NULL);
	CHECK(kcatflag_unsupported('y', 0) == NULL);
}

int
main(void)
{
	TEST("kcatflags: -m seconds become webmon.connect.timeout.ms", wait_flag());
	TEST("kcatflags: kcat flags not taken are named with why", refused());
	return unit_done();
}
