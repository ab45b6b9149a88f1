/* kfailfast.c: give up early when no broker can be reached at start. */
#include "kfailfast.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "timeutil.h"
#include "util.h"

#define SLICE_MS	250	/* one metadata attempt, then errors are served */

static struct {
	long timeout_ms;
	int waiting;		/* no broker has answered yet */
	int err;		/* the error behind cause */
	char cause[512];
	kfailfast_error_cb *chain;
} ff = { KFAILFAST_DEFAULT_MS, 0, 0, "", NULL };

int
kfailfast_set_timeout(const char *val, char *errstr, size_t errsize)
{
	long v;

	if (parse_long(val, 0, INT_MAX, &v) < 0) {
		snprintf(errstr, errsize, "%s: expected milliseconds, not '%s'",
		    KFAILFAST_PROP, val);
		return -1;
	}
	ff.timeout_ms = v;
	return 0;
}

static void
watch_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	if (ff.waiting && err != RD_KAFKA_RESP_ERR__FATAL) {
		/* "1/1 brokers are down" says less than the error before it. */
		if (err != RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN || ff.cause[0] == '\0') {
			snprintf(ff.cause, sizeof(ff.cause), "%s", reason);
			ff.err = err;
		}
		return;
	}
	if (ff.chain != NULL)
		ff.chain(rk, err, reason, opaque);
}

void
kfailfast_conf(rd_kafka_conf_t *conf, kfailfast_error_cb *cb)
{
	ff.chain = cb;
	ff.waiting = ff.timeout_ms > 0;
	rd_kafka_conf_set_error_cb(conf, watch_cb);
}

int
kfailfast_wait(rd_kafka_t *rk, volatile sig_atomic_t *stop, char *errstr,
    size_t errsize)
{
	const struct rd_kafka_metadata *md;
	double deadline = mono_ms() + (double)ff.timeout_ms, left;
	int answered = 0;

	if (!ff.waiting)
		return 0;
	while (!*stop && !answered) {
		rd_kafka_poll(rk, 0);
		/* Wrong credentials do not get better by trying again. */
		if (ff.err == RD_KAFKA_RESP_ERR__AUTHENTICATION)
			break;
		if ((left = deadline - mono_ms()) <= 0)
			break;
		if (rd_kafka_metadata(rk, 0, NULL, &md,
		    left < SLICE_MS ? (int)left + 1 : SLICE_MS) ==
		    RD_KAFKA_RESP_ERR_NO_ERROR) {
			rd_kafka_metadata_destroy(md);
			answered = 1;
		}
	}
	ff.waiting = 0;
	/* A stop signal is the program's to handle. */
	if (answered || *stop)
		return 0;
	if (ff.err == RD_KAFKA_RESP_ERR__AUTHENTICATION)
		snprintf(errstr, errsize, "%s", ff.cause);
	else
		snprintf(errstr, errsize, "no broker answered in %.1f s%s%s "
		    "(-X %s=0 waits for brokers)", ff.timeout_ms / 1000.0,
		    ff.cause[0] ? ": " : "", ff.cause, KFAILFAST_PROP);
	return -1;
}
