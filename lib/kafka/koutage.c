/* koutage.c: when all brokers are down, say so once, and when they are back. */
#include "kafka/koutage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonr.h"
#include "timeutil.h"
#include "util.h"

#define CAUSE_MS	2000.0	/* an error this recent is the outage's cause */

static struct {
	int on;			/* koutage_conf() was called */
	int verbose, quiet;
	struct progress *prog;
	int stats;		/* statistics have arrived */
	int down;		/* an outage is on */
	int told;		/* and its first line is out */
	double since_ms;	/* when it began */
	unsigned long base;	/* connect attempts when it began */
	unsigned long tries;	/* attempts told as retries */
	unsigned long connects;	/* connect attempts in the last statistics */
	char cause[512];	/* the last error reaching a broker */
	double cause_ms;	/* when it came; 0: none */
	int cause_drop;		/* it closed a working connection */
	char alldown[128];	/* librdkafka's own words, if no better cause */
} ko;

static void
say(const char *what, const char *why)
{
	if (ko.prog != NULL)
		progress_clear(ko.prog);
	warnmsg("kafka: %s%s", what, why);
}

/* The outage's first line: the cause if one came lately, else "N/N ...". */
static void
tell(void)
{
	ko.told = 1;
	if (ko.quiet)
		return;
	say("brokers down: ", ko.cause_ms > 0 &&
	    mono_ms() - ko.cause_ms < CAUSE_MS ? ko.cause : ko.alldown);
}

/* With -v: the attempts so far in this outage have failed. */
static void
retry(unsigned long tries)
{
	ko.tries = tries;
	if (!ko.verbose || ko.quiet)
		return;
	if (ko.prog != NULL)
		progress_clear(ko.prog);
	warnmsg("kafka: retry %lu failed: %s", tries, ko.cause_ms > 0 ?
	    ko.cause : ko.alldown);
}

static void
back(void)
{
	double secs = (mono_ms() - ko.since_ms) / 1000;

	if (!ko.down)
		return;
	if (!ko.told) {
		/* No reconnect failed: a connection closed while idle
		 * (connections.max.idle.ms) and opened again, no outage. */
		ko.down = 0;
		return;
	}
	ko.down = ko.told = 0;
	if (!ko.quiet) {
		if (ko.prog != NULL)
			progress_clear(ko.prog);
		warnmsg("kafka: reconnected after %.1f s", secs);
	}
}

static int
is(const struct jsonr_val *v, const char *s)
{
	return !v->escaped && v->slen == strlen(s) &&
	    memcmp(v->str, s, v->slen) == 0;
}

/*
 * One broker's object in the statistics: *up set if it is a real broker
 * (not the internal or a logical one) in state UP, *connects increased by its
 * connect attempts. Returns 0 or -1.
 */
static int
broker(struct jsonr *r, int *up, unsigned long *connects)
{
	struct jsonr_val name, v;
	int rc, isup = 0, real = 1;
	unsigned long n = 0;
	char num[32];

	if (jsonr_object(r) < 0)
		return -1;
	while ((rc = jsonr_member(r, &name)) == 1) {
		if (jsonr_value(r, &v) < 0)
			return -1;
		if (is(&name, "state") && v.kind == JSONR_STRING)
			isup = is(&v, "UP");
		else if (is(&name, "source") && v.kind == JSONR_STRING)
			real = !is(&v, "internal") && !is(&v, "logical");
		else if (is(&name, "connects") && v.kind == JSONR_NUMBER &&
		    v.len < sizeof(num)) {
			memcpy(num, v.raw, v.len);
			num[v.len] = '\0';
			n = strtoul(num, NULL, 10);
		}
	}
	if (real) {
		*up |= isup;
		*connects += n;
	}
	return rc;
}

/* The brokers' states and connect attempts in statistics. 0 or -1. */
static int
read_stats(const char *json, size_t len, int *up, unsigned long *connects)
{
	struct jsonr r;
	struct jsonr_val name, v;
	int rc;

	*up = 0;
	*connects = 0;
	jsonr_init(&r, json, len, 0);
	if (jsonr_object(&r) < 0)
		return -1;
	while ((rc = jsonr_member(&r, &name)) == 1) {
		if (!is(&name, "brokers")) {
			if (jsonr_value(&r, &v) < 0)
				return -1;
			continue;
		}
		if (jsonr_object(&r) < 0)
			return -1;
		while ((rc = jsonr_member(&r, &name)) == 1)
			if (broker(&r, up, connects) < 0)
				return -1;
		if (rc < 0)
			return -1;
	}
	return rc;
}

static int
stats_cb(rd_kafka_t *rk, char *json, size_t len, void *opaque)
{
	unsigned long connects;
	int up;

	(void)rk;
	(void)opaque;
	if (read_stats(json, len, &up, &connects) < 0)
		return 0;
	ko.stats = 1;
	ko.connects = connects;
	if (!ko.down)
		return 0;
	if (up)
		back();
	else if (!ko.told) {
		/* The reconnect that fails with the cause may be due still;
		 * without any attempt, the client only went idle. */
		if (mono_ms() - ko.since_ms >= CAUSE_MS && connects > ko.base)
			tell();
	} else if (connects > ko.base + ko.tries)
		retry(connects - ko.base);
	return 0;	/* librdkafka frees json */
}

void
koutage_conf(rd_kafka_conf_t *conf, int verbose, int quiet,
    struct progress *prog)
{
	char val[32], err[256];
	size_t size = sizeof(val);

	ko.on = 1;
	ko.verbose = verbose;
	ko.quiet = quiet;
	ko.prog = prog;
	if (rd_kafka_conf_get(conf, "statistics.interval.ms", val, &size) !=
	    RD_KAFKA_CONF_OK || strcmp(val, "0") == 0)
		(void)rd_kafka_conf_set(conf, "statistics.interval.ms",
		    KOUTAGE_STATS_MS, err, sizeof(err));
	rd_kafka_conf_set_stats_cb(conf, stats_cb);
}

int
koutage_error(int err, const char *reason)
{
	if (!ko.on)
		return 0;
	switch (err) {
	case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
		if (ko.down)
			return 1;
		ko.down = 1;
		ko.told = 0;
		ko.since_ms = mono_ms();
		ko.base = ko.connects;
		ko.tries = 0;
		snprintf(ko.alldown, sizeof(ko.alldown), "%s", reason);
		/* The cause may come just before or just after; a dropped
		 * connection is one only once reconnecting fails. */
		if ((ko.cause_ms > 0 && ko.since_ms - ko.cause_ms < CAUSE_MS &&
		    !ko.cause_drop) || !ko.stats)
			tell();
		return 1;
	case RD_KAFKA_RESP_ERR__TRANSPORT:
	case RD_KAFKA_RESP_ERR__RESOLVE:
	case RD_KAFKA_RESP_ERR__SSL:
	case RD_KAFKA_RESP_ERR__AUTHENTICATION:
		snprintf(ko.cause, sizeof(ko.cause), "%s", reason);
		ko.cause_ms = mono_ms();
		/* librdkafka ends a reason with "(after Nms in state S)":
		 * in state UP a working connection closed, in any other a
		 * connect failed. */
		ko.cause_drop = strstr(reason, " in state UP") != NULL;
		if (ko.down && !ko.told && !ko.cause_drop)
			tell();
		else if (ko.down && !ko.stats)
			retry(ko.tries + 1);
		else if (!ko.down && ko.verbose && !ko.quiet)
			say("", reason);
		return 1;
	}
	return 0;
}

void
koutage_up(void)
{
	back();
}

int
koutage_on(void)
{
	return ko.down;
}
