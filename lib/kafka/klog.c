/* klog.c: librdkafka's errors and log lines on stderr. */
#include <stddef.h>
#include <string.h>

#include "kafka/klog.h"
#include "kafka/koutage.h"
#include "util.h"

int
klog_error(rd_kafka_t *rk, int err, const char *reason, int verbose,
    int quiet, struct progress *prog)
{
	char why[512];

	if (err == RD_KAFKA_RESP_ERR__FATAL) {
		rd_kafka_fatal_error(rk, why, sizeof(why));
		progress_clear(prog);
		warnmsg("kafka: fatal: %s", why);
		return 1;
	}
	/* Brokers out of reach: an outage, told once (koutage.h). */
	if (koutage_error(err, reason))
		return 0;
	if (verbose || (!quiet && err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)) {
		progress_clear(prog);
		warnmsg("kafka: %s", reason);
	}
	return 0;
}

void
klog_line(int level, const char *fac, const char *buf, int verbose,
    struct progress *prog)
{
	/* A broker's FAIL repeats an error callback's: koutage.h tells it. */
	if (verbose > 1 || (verbose && level <= 4 && strcmp(fac, "FAIL") != 0)) {
		if (prog)
			progress_clear(prog);
		warnmsg("kafka: %s: %s", fac, buf);
	}
}
