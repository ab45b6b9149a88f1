/*
 * wm-kafka-sub: Kafka to NDJSON. Writes each message of the topics as one
 * line on stdout, with kcat's consumer flags. With --ack PATH, offsets are
 * committed only once the sink reading stdout has acknowledged the lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#include "buf.h"
#include "cli.h"
#include "kafka/kcatflags.h"
#include "kafka/kcli.h"
#include "kafka/kconf.h"
#include "kafka/kconfdump.h"
#include "kafka/kfailfast.h"
#include "kafka/kenvelope.h"
#include "kafka/koffset.h"
#include "kafka/kassign.h"
#include "kafka/kcommit.h"
#include "kafka/kconsume.h"
#include "kafka/kfmt.h"
#include "kafka/klog.h"
#include "kafka/koutage.h"
#include "kafka/kmeta.h"
#include "progress.h"
#include "timeutil.h"
#include "util.h"

#define TICK_MS		200		/* longest sleep in poll() */
#define STATS_MS	10000		/* -v stats line interval */

struct options {
	const char *brokers;
	const char **topics;
	int ntopics;
	const char *group;
	int32_t partition;	/* -p; -1 all */
	struct koffset off;	/* -o */
	int exit_eof;
	long long count;	/* -c: stop after this many messages; 0 none */
	int quiet, verbose, dump, debug, mode;	/* mode: -C or -L */
	struct kfmt_flags out;	/* -f -J -K -D -Z -u */
	const char *ack_path;
	long max_pending;
	double drain_timeout;	/* seconds */
	char **confargs;	/* -X and -F in order: "X..." or "F..." */
	size_t nconf;
};

struct sub {
	const struct options *o;
	rd_kafka_t *rk;
	rd_kafka_queue_t *q;
	rd_kafka_topic_t **rkts;	/* simple mode: one per topic */
	int iopipe[2];
	struct kcommit kc;	/* lines, acks and offsets */
	struct kconsume c;	/* messages to lines */
	double laststats_ms, start_ms;
	unsigned long long statsmsgs;
	struct progress prog;
};

static volatile sig_atomic_t stop;

static void
onsignal(int sig)
{
	(void)sig;
	stop++;
}

/* How lib/kafka reports: a warning line, after the progress line. */
static void
warn_cb(void *arg, const char *msg)
{
	struct sub *s = arg;

	progress_clear(&s->prog);
	warnmsg("%s", msg);
}

/*
 * Kafka callbacks. The error, commit and rebalance callbacks run on the
 * main thread, from rd_kafka_consume_batch_queue() and rd_kafka_poll().
 */
static void
log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *msg)
{
	struct sub *s = rd_kafka_opaque(rk);

	klog_line(level, fac, msg, s->o->debug ? 2 : !s->o->quiet, NULL);
}

static void
error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	struct sub *s = opaque;

	if (klog_error(rk, err, reason, !s->o->quiet, s->o->quiet, &s->prog))
		s->c.fatal = 1;
}

static void
commit_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
    rd_kafka_topic_partition_list_t *offsets, void *opaque)
{
	struct sub *s = opaque;

	kcommit_result(&s->kc, err);
	if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
		koutage_up();
	if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET &&
	    (s->o->verbose || !koutage_on()))
		warnmsg("commit: %s", rd_kafka_err2str(err));
}

/* Take every acknowledgement available now. */
static void
read_acks(struct sub *s)
{
	char msg[512];

	/* Broken: commit nothing more, stop, let a restart read again. */
	if (kcommit_read_acks(&s->kc, &s->prog, msg, sizeof(msg)) < 0) {
		warnmsg("%s; committing no more, exiting", msg);
		s->c.fatal = 1;
	}
}

static void
commit_now(struct sub *s, int async)
{
	char msg[512];

	if (kcommit_commit(&s->kc, async, msg, sizeof(msg)) < 0)
		warnmsg("%s", msg);
}

static void
rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
    rd_kafka_topic_partition_list_t *parts, void *opaque)
{
	struct sub *s = opaque;
	char msg[512];

	progress_clear(&s->prog);
	if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
		if (kassign_assign(rk, &s->kc, &s->o->off, parts,
		    s->c.paused || s->c.draining, msg, sizeof(msg)) < 0)
			die("%s", msg);
		if (s->o->verbose)
			warnmsg("assigned %d partition(s)", parts->cnt);
		return;
	}
	if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
		read_acks(s);
		if (kassign_revoke(rk, &s->kc, parts, msg, sizeof(msg)) < 0)
			warnmsg("%s", msg);
		if (s->o->verbose)
			warnmsg("revoked %d partition(s)", parts->cnt);
		return;
	}
	warnmsg("rebalance: %s", rd_kafka_err2str(err));
	rd_kafka_assign(rk, NULL);
}

static void
stats(struct sub *s, int final)
{
	double now = mono_ms();
	uint64_t pending = s->kc.ackmode ? kcommit_unacked(&s->kc) : 0;

	if (s->o->quiet)
		return;
	if (s->o->verbose && (final || now - s->laststats_ms >= STATS_MS)) {
		double secs = (now - (final ? s->start_ms : s->laststats_ms)) / 1000;

		statsmsg(final ? "total" : "stats", "messages=%llu messages/s=%.0f "
		    "lines=%" PRIu64 " skipped=%llu acknowledged=%" PRIu64
		    " pending=%" PRIu64 " commits=%llu",
		    s->c.nmsgs, secs > 0 ? (final ? s->c.nmsgs :
		    s->c.nmsgs - s->statsmsgs) / secs : 0.0,
		    offtrack_written(&s->kc.ot), s->c.nskipped + s->c.nempty,
		    offtrack_acked(&s->kc.ot), pending, s->kc.ncommits);
		s->laststats_ms = now;
		s->statsmsgs = s->c.nmsgs;
	}
	if (!final)
		progress_update(&s->prog, "%llu messages, %" PRIu64 " pending",
		    s->c.nmsgs, pending);
}

static void
build_conf(struct sub *s, struct options *o, rd_kafka_conf_t *conf)
{
	char errstr[512];
	size_t bad;

	kconf_consumer(conf, "wm-kafka-sub", o->group, o->off.kind == KOFF_END);
	/* conf is freed before a usage error: exit leaves nothing behind. */
	if (kconf_kcat_config(conf, o->confargs, o->nconf, errstr,
	    sizeof(errstr)) < 0) {
		rd_kafka_conf_destroy(conf);
		dieusage("%s", errstr);
	}
	if (kconf_apply_tagged(conf, o->confargs, o->nconf, &bad, errstr,
	    sizeof(errstr)) < 0) {
		rd_kafka_conf_destroy(conf);
		dieusage("%s%s: %s", o->confargs[bad][0] == 'X' ? "-X " : "-F ",
		    o->confargs[bad] + 1, errstr);
	}
	/* -X dump: what was set, before the checks, as kcat. */
	if ((kconf_brokers(conf, o->brokers, errstr, sizeof(errstr)) < 0 ||
	    (o->group && kassign_check_conf(conf, errstr, sizeof(errstr)) < 0)) &&
	    !o->dump) {
		rd_kafka_conf_destroy(conf);
		dieusage("%s", errstr);
	}
	if (o->dump) {
		if (kconfdump_write(conf, stdout) < 0)
			die("write <stdout>:");
		rd_kafka_conf_destroy(conf);
		exit(0);
	}
	o->debug = kconf_isset(conf, "debug");
	if (o->exit_eof)
		kconf_set(conf, "enable.partition.eof", "true", errstr, sizeof(errstr));
	kcommit_init(&s->kc, kconf_isset(conf, "group.id") && o->group != NULL);
	rd_kafka_conf_set_opaque(conf, s);
	rd_kafka_conf_set_log_cb(conf, log_cb);
	kfailfast_conf(conf, error_cb);
	koutage_conf(conf, o->verbose, o->quiet, &s->prog);
	rd_kafka_conf_set_offset_commit_cb(conf, commit_cb);
	if (o->group)
		rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
}

/*
 * Stopping: take no more messages, wait (bounded) until the sink has
 * acknowledged what was written, and commit that.
 */
static void
drain(struct sub *s, rd_kafka_message_t **msgs)
{
	double deadline = mono_ms() + s->o->drain_timeout * 1000;
	uint64_t target;
	int signals = stop;

	s->c.draining = 1;
	kconsume_pause(&s->c, 1);
	if (!s->c.epipe)
		kconsume_flush(&s->c);
	target = s->kc.flushed;
	if (s->kc.ackmode) {
		for (;;) {
			read_acks(s);
			commit_now(s, 1);
			/* All acknowledged, out of time, or the sink gone (what
			 * it acknowledged has been read). */
			if (offtrack_acked(&s->kc.ot) >= target || s->kc.broken ||
			    mono_ms() >= deadline || stop > signals || s->c.epipe)
				break;
			kconsume_batch(&s->c, msgs);
			kconsume_wait(&s->c, TICK_MS);
		}
		if (offtrack_acked(&s->kc.ot) < target && !s->o->quiet)
			warnmsg("%" PRIu64 " lines not acknowledged; they will "
			    "be read again", target - offtrack_acked(&s->kc.ot));
	}
	commit_now(s, 0);
}

static void
free_options(struct options *o)
{
	size_t i;

	for (i = 0; i < o->nconf; i++)
		free(o->confargs[i]);
	free(o->confargs);
	free(o->topics);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ack", required_argument, NULL, 'A' },
		{ "drain-timeout", required_argument, NULL, 256 },	/* -D: kcat's */
		{ "max-pending", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct options o = { 0 };
	struct sub s = { 0 };
	struct kfmt fmt;
	rd_kafka_conf_t *conf;
	rd_kafka_message_t **msgs;
	char errstr[512];
	int c, status;

	cli_init(&kafka_sub_cli);
	o.max_pending = 100000;
	o.drain_timeout = 10;
	o.partition = -1;
	o.confargs = xcalloc((size_t)argc, sizeof(*o.confargs));
	o.topics = xcalloc((size_t)argc, sizeof(*o.topics));
	while ((c = cli_getopt(argc, argv, "b:Cc:D:d:eF:f:G:hJK:Lo:p:qt:uvVX:Z"
	    KCATFLAG_OPTS, longopts)) != -1) {
		switch (c) {
		default:	/* kcat's output flags: -f -J -K -D -Z -u */
			kfmt_flag(&o.out, c, optarg);
			break;
		case 'm':
			(void)cli_seconds(optarg, 0.001);	/* the shared message */
			if ((o.confargs[o.nconf++] = kcatflag_tag(c, optarg, errstr,
			    sizeof(errstr))) == NULL)
				dieusage("%s", errstr);
			break;
		case 'A':
			o.ack_path = optarg;
			break;
		case 'b':
			o.brokers = optarg;
			break;
		case 'C':	/* kcat's consumer mode */
		case 'L':	/* kcat's metadata list */
			o.mode = c;
			break;
		case 'c':
			o.count = cli_long(optarg, 1, LONG_MAX);
			break;
		case 256:
			o.drain_timeout = cli_seconds(optarg, 0);
			break;
		case 'd':
			o.confargs[o.nconf] = xmalloc(strlen(optarg) + 8);
			sprintf(o.confargs[o.nconf++], "Xdebug=%s", optarg);
			break;
		case 'e':
			o.exit_eof = 1;
			break;
		case 'F':
			o.confargs[o.nconf++] = kconf_tag('F', optarg);
			break;
		case 'G':
			o.group = optarg;
			break;
		case 'h':
			free_options(&o);
			cli_help();
		case 'M':
			o.max_pending = cli_long(optarg, 1, LONG_MAX);
			break;
		case 'p':
			o.partition = (int32_t)cli_long(optarg, -1, INT32_MAX);
			break;
		case 'o':
			if (koffset_parse(&o.off, optarg, errstr, sizeof(errstr)) < 0)
				dieusage("-o '%s': %s", optarg, errstr);
			break;
		case 'q':
			o.quiet = 1;
			o.verbose = 0;
			break;
		case 't':
			o.topics[o.ntopics++] = optarg;
			break;
		case 'v':
			o.verbose = 1;
			o.quiet = 0;
			break;
		case 'V':
			free_options(&o);
			cli_version();
		case 'X':
			if (strcmp(optarg, "list") == 0 || strcmp(optarg, "help") == 0) {
				rd_kafka_conf_properties_show(stdout);
				free_options(&o);
				return 0;
			}
			if (strcmp(optarg, "dump") == 0) {
				o.dump = 1;
				break;
			}
			o.confargs[o.nconf++] = kconf_tag('X', optarg);
			break;
		}
	}
	/* As in kcat -G, topics may also follow the options. */
	while (optind < argc)
		o.topics[o.ntopics++] = argv[optind++];
	if (o.ntopics == 0 && !o.dump && o.mode != 'L')
		dieusage("no topic: give -t topic");
	if (o.off.kind == KOFF_STORED && o.group == NULL)
		dieusage("-o stored needs a consumer group (-G)");
	if (o.partition != -1 && o.group != NULL)
		dieusage("-p with -G: the group assigns the partitions");
	o.out.ack = o.ack_path != NULL;
	if ((status = kfmt_from_flags(&fmt, &o.out, errstr, sizeof(errstr))) < 0)
		dieusage("%s", errstr);

	s.o = &o;
	s.start_ms = s.laststats_ms = mono_ms();
	progress_init(&s.prog);
	if (o.quiet)
		s.prog.enabled = 0;
	conf = rd_kafka_conf_new();
	build_conf(&s, &o, conf);
	if (o.ack_path && kcommit_ack_open(&s.kc, o.ack_path, STDOUT_FILENO,
	    errstr, sizeof(errstr)) < 0) {
		rd_kafka_conf_destroy(conf);
		die("--ack: %s", errstr);
	}

	ignore_sigpipe();
	catch_stop_signals(onsignal);

	if ((s.rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr,
	    sizeof(errstr))) == NULL ||
	    kfailfast_wait(s.rk, &stop, errstr, sizeof(errstr)) < 0)
		die("kafka: %s", errstr);
	if (o.mode == 'L' && kmeta_list(s.rk, o.ntopics ? o.topics[o.ntopics - 1] :
	    NULL, 10000, stdout, errstr, sizeof(errstr)) < 0)
		die("%s", errstr);
	if (o.mode == 'L')
		exit(0);
	if (pipe2(s.iopipe, O_NONBLOCK | O_CLOEXEC) < 0)
		die("pipe:");
	if (o.group) {
		if (kassign_subscribe(s.rk, o.topics, o.ntopics, &s.q, errstr,
		    sizeof(errstr)) < 0)
			die("%s", errstr);
	} else
		s.q = rd_kafka_queue_new(s.rk);
	rd_kafka_queue_io_event_enable(s.q, s.iopipe[1], "1", 1);
	s.c = (struct kconsume){ .rk = s.rk, .q = s.q, .kc = &s.kc,
	    .outfd = STDOUT_FILENO, .wakefd = s.iopipe[0], .json = o.out.json,
	    .fmt = status ? &fmt : NULL, .unbuffered = o.out.unbuffered,
	    .group = o.group != NULL, .count = o.count, .stop_ms = o.off.stop_ms,
	    .max_pending = (size_t)o.max_pending, .warn = warn_cb, .arg = &s };
	s.kc.rk = s.rk;
	if (!o.group && kassign_start_simple(s.rk, s.q, &s.kc, o.topics,
	    o.ntopics, o.partition, &o.off, &s.rkts, errstr, sizeof(errstr)) < 0)
		die("%s", errstr);

	msgs = xreallocarray(NULL, KCONSUME_BATCH, sizeof(*msgs));
	while (!stop && !s.c.fatal && !s.c.epipe && !s.c.draining) {
		read_acks(&s);
		if (s.kc.ackmode)
			kconsume_pause(&s.c, offtrack_pending(&s.kc.ot) >= (size_t)o.max_pending);
		if (kconsume_batch(&s.c, msgs) > 0 && !s.c.paused)
			continue;
		kconsume_flush(&s.c);
		commit_now(&s, 1);
		if ((o.exit_eof || o.off.stop_ms) && offtrack_all_eof(&s.kc.ot))
			break;
		stats(&s, 0);
		kconsume_wait(&s.c, TICK_MS);
	}
	drain(&s, msgs);
	stats(&s, 1);
	progress_clear(&s.prog);
	free(msgs);

	if (o.group) {
		rd_kafka_resp_err_t err = rd_kafka_consumer_close(s.rk);

		if (err)
			warnmsg("close: %s", rd_kafka_err2str(err));
	} else
		kassign_stop_simple(&s.kc, s.rkts, o.topics, o.ntopics);
	rd_kafka_queue_io_event_enable(s.q, -1, NULL, 0);
	rd_kafka_queue_destroy(s.q);
	rd_kafka_destroy(s.rk);
	close(s.iopipe[0]);
	close(s.iopipe[1]);

	status = s.c.fatal ? 1 : s.c.nskipped > 0 ? 3 : 0;
	kcommit_free(&s.kc);
	buf_free(&s.c.out);
	kfmt_free(&fmt);
	free_options(&o);
	return status;
}
