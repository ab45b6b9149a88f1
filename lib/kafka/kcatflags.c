/* kcatflags.c: kcat flags mapped onto properties, or refused by name. */
#include "kcatflags.h"

#include <stdio.h>

#include "kconf.h"
#include "kfailfast.h"
#include "util.h"

char *
kcatflag_tag(int opt, const char *arg, char *errstr, size_t errsize)
{
	char prop[64 + 32];
	double secs;

	if (opt == 'm') {
		/* 0 would mean "no limit" here: kcat has no such -m. */
		if (parse_seconds(arg, &secs) < 0 || secs <= 0 || secs > 2e6) {
			snprintf(errstr, errsize, "-m '%s': expected seconds above 0 "
			    "(-X %s=0 waits without limit)", arg, KFAILFAST_PROP);
			return NULL;
		}
		snprintf(prop, sizeof(prop), "%s=%.0f", KFAILFAST_PROP,
		    secs < 0.001 ? 1 : secs * 1000);
		return kconf_tag('X', prop);
	}
	snprintf(errstr, errsize, "-%c: not a mapped kcat flag", opt);
	return NULL;
}

static const struct {
	char flag;
	char where;		/* 'P' producer, 'C' consumer, 'B' both */
	const char *what;
} unsupported[] = {
	{ 'C', 'P', "consumer mode: use wm-kafka-sub" },
	{ 'G', 'P', "consumer group mode: use wm-kafka-sub" },
	{ 'P', 'C', "producer mode: use wm-kafka-pub" },
	{ 'L', 'P', "metadata list mode: use wm-kafka-sub -L or kcat -L" },
	{ 'Q', 'B', "query mode: use kcat -Q" },
	{ 'd', 'P', "librdkafka debug logs: use -X debug=LIST" },
	{ 'E', 'B', "do not exit on non-fatal errors: the programs never exit on those" },
	{ 'k', 'C', "a fixed key: a producer flag" },
	{ 'z', 'C', "compression: a producer flag" },
	{ 'O', 'C', "the offset with the -K delimiter: use -f '%o...'" },
	{ 's', 'C', "deserializers: payloads are written as they are" },
	{ 'r', 'C', "a schema registry: payloads are written as they are" },
	{ 'o', 'P', "a start offset: a consumer flag" },
	{ 'e', 'P', "exit at the end of the partitions: a consumer flag" },
	{ 'J', 'P', "the JSON envelope: a consumer flag" },
};

const char *
kcatflag_unsupported(int optopt, int producer)
{
	static char msg[160];
	size_t i;

	for (i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++) {
		char w = unsupported[i].where;

		if (unsupported[i].flag != optopt ||
		    (w == 'P' && !producer) || (w == 'C' && producer))
			continue;
		snprintf(msg, sizeof(msg), "kcat's -%c is not supported (%s)",
		    optopt, unsupported[i].what);
		return msg;
	}
	return NULL;
}
