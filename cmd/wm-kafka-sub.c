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
#include "kafka/kconf.h"
#include "kafka/kenvelope.h"
#include "kafka/koffset.h"
#include "kafka/kassign.h"
#include "kafka/kcommit.h"
#include "progress.h"
#include "timeutil.h"
#include "util.h"

#define BATCH		10000		/* messages taken from the queue at once */
#define OUT_FLUSH	(1 << 20)	/* write stdout when this much is buffered */
#define TICK_MS		200		/* longest sleep in poll() */
#define STATS_MS	10000		/* -v stats line interval */

struct options {
	const char *brokers;
	const char **topics;
	int ntopics;
	const char *group;
	struct koffset off;	/* -o */
	int exit_eof;
	long long count;	/* -c: stop after this many messages; 0 none */
	int quiet, verbose, json;
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
	struct buf out;
	int paused;
	int draining;		/* taking no more messages */
	int epipe;
	int fatal;
	unsigned long long nmsgs, nskipped, nempty, nignored;
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

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: wm-kafka-sub [-eJqvV] [-b brokers] [-c count] [-F file] [-G group]\n"
	    "                    [-o offset] [-X prop=val] [--ack path]\n"
	    "                    [--drain-timeout secs] [--max-pending lines]\n"
	    "                    -t topic ... [topic ...]\n"
	    "  -b brokers          bootstrap brokers (default $KAFKA_BROKERS)\n"
	    "  -t topic            topic to read; may be repeated\n"
	    "  -G group            consumer group: share partitions, commit offsets\n"
	    "  -o offset           beginning|end|stored|N|-N|s@ms: where to start\n"
	    "  -e                  exit at the end of every partition\n"
	    "  -c count            exit after count messages\n"
	    "  -J                  write kcat's JSON envelope instead of the payload\n"
	    "  -X prop=val         librdkafka property (-X list shows them)\n"
	    "  -F file             file of prop=val lines\n"
	    "  -q, -v              quieter, more verbose (stats lines)\n"
	    "  --ack path          commit only lines the sink acknowledged on path\n"
	    "  --max-pending n     stop fetching at n unacknowledged lines (100000)\n"
	    "  --drain-timeout s   wait this long for acks when stopping (10)\n"
	    "  -h, -V              help, version\n");
}

/*
 * Kafka callbacks. The error, commit and rebalance callbacks run on the
 * main thread, from rd_kafka_consume_batch_queue() and rd_kafka_poll().
 */
static void
log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *msg)
{
	struct sub *s = rd_kafka_opaque(rk);

	if (level <= 4 && !s->o->quiet)
		fprintf(stderr, "%s: kafka: %s: %s\n", progname, fac, msg);
}

static void
error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	struct sub *s = opaque;
	char why[512];

	if (err == RD_KAFKA_RESP_ERR__FATAL) {
		rd_kafka_fatal_error(rk, why, sizeof(why));
		warnmsg("kafka: fatal: %s", why);
		s->fatal = 1;
		return;
	}
	if (!s->o->quiet) {
		progress_clear(&s->prog);
		warnmsg("kafka: %s", reason);
	}
}

static void
commit_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
    rd_kafka_topic_partition_list_t *offsets, void *opaque)
{
	struct sub *s = opaque;

	kcommit_result(&s->kc, err);
	if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET)
		warnmsg("commit: %s", rd_kafka_err2str(err));
}

/* Take every acknowledgement available now. */
static void
read_acks(struct sub *s)
{
	char msg[512];
	int rc;

	while ((rc = kcommit_read_ack(&s->kc, msg, sizeof(msg))) != ACK_NONE) {
		if (rc == ACK_COUNT)
			continue;
		progress_clear(&s->prog);
		if (rc == ACK_IGNORED) {
			if (s->nignored++ < 5)
				warnmsg("%s", msg);
			continue;
		}
		/* Broken: commit nothing more, stop, let a restart read again. */
		warnmsg("%s; committing no more, exiting", msg);
		s->fatal = 1;
		return;
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
set_paused(struct sub *s, int pause)
{
	rd_kafka_topic_partition_list_t *l;

	if (s->paused == pause)
		return;
	l = kcommit_assigned(&s->kc);
	if (pause)
		rd_kafka_pause_partitions(s->rk, l);
	else
		rd_kafka_resume_partitions(s->rk, l);
	rd_kafka_topic_partition_list_destroy(l);
	s->paused = pause;
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
		    s->paused || s->draining, msg, sizeof(msg)) < 0)
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

/* Write the buffered lines; on success they count as written. */
static int
flush_out(struct sub *s)
{
	/* Nothing goes out before the sink has introduced itself (ack.h). */
	if (s->out.len == 0 || !kcommit_ready(&s->kc))
		return 0;
	if (write_all(STDOUT_FILENO, s->out.data, s->out.len) < 0) {
		if (errno != EPIPE)
			warnmsg("write <stdout>:");
		s->epipe = 1;
		s->fatal |= errno != EPIPE;
		buf_reset(&s->out);
		return -1;
	}
	buf_reset(&s->out);
	kcommit_flushed(&s->kc);
	return 0;
}

/* Write one message (or report it), and track its offset. */
static void
take(struct sub *s, const rd_kafka_message_t *m)
{
	const char *topic = rd_kafka_topic_name(m->rkt);
	int wrote = 0;

	s->nmsgs++;
	if (s->o->json) {
		kenvelope_write(&s->out, m);
		wrote = 1;
	} else if (m->len == 0) {
		/* No record in it: nothing to write, nothing to reject. */
		s->nempty++;
	} else if (memchr(m->payload, '\n', m->len) != NULL) {
		progress_clear(&s->prog);
		warnmsg("'%s' [%" PRId32 "] at offset %" PRId64
		    ": payload contains a newline, skipped", topic,
		    m->partition, m->offset);
		s->nskipped++;
	} else {
		buf_append(&s->out, m->payload, m->len);
		buf_putc(&s->out, '\n');
		wrote = 1;
	}
	offtrack_take(&s->kc.ot, topic, m->partition, m->offset, wrote);
}

static void
on_error_msg(struct sub *s, const rd_kafka_message_t *m)
{
	const char *topic = m->rkt ? rd_kafka_topic_name(m->rkt) : "";

	if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
		if (m->rkt != NULL)
			offtrack_set_eof(&s->kc.ot, topic, m->partition, 1);
		return;
	}
	progress_clear(&s->prog);
	if (m->rkt != NULL)
		warnmsg("'%s' [%" PRId32 "]: %s", topic, m->partition,
		    rd_kafka_message_errstr(m));
	else
		warnmsg("kafka: %s", rd_kafka_message_errstr(m));
	if (m->err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
	    m->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
	    m->err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
	    m->err == RD_KAFKA_RESP_ERR__FATAL)
		s->fatal = 1;
}

/* Take what the queue holds now; returns the number of messages seen. */
static ssize_t
consume(struct sub *s, rd_kafka_message_t **msgs)
{
	size_t want = BATCH, room;
	ssize_t n, i;

	/* With --ack, take no more than --max-pending allows (at least one
	 * call's worth, so that rebalances are still served while full). */
	if (s->kc.ackmode && !s->draining) {
		size_t pending = offtrack_pending(&s->kc.ot);

		room = (size_t)s->o->max_pending > pending ?
		    (size_t)s->o->max_pending - pending : 1;
		if (room < want)
			want = room;
	}
	n = rd_kafka_consume_batch_queue(s->q, 0, msgs, want);
	if (n < 0) {
		warnmsg("consume: %s", rd_kafka_err2str(rd_kafka_last_error()));
		s->fatal = 1;
		return 0;
	}
	for (i = 0; i < n; i++) {
		rd_kafka_message_t *m = msgs[i];

		if (m->err)
			on_error_msg(s, m);
		else if (!s->draining)
			take(s, m);
		rd_kafka_message_destroy(m);
		if (!s->draining && s->o->count > 0 &&
		    (long long)s->nmsgs >= s->o->count)
			s->draining = 1;
		if (s->out.len >= OUT_FLUSH)
			flush_out(s);
	}
	if (!s->o->group)
		rd_kafka_poll(s->rk, 0);
	return n;
}

/* Sleep in poll() until Kafka or the sink has something, at most ms. */
static void
wait_events(struct sub *s, int ms)
{
	struct pollfd pfd[3];
	int n = 0, out = -1;
	char junk[64];
	struct stat st;

	pfd[n].fd = s->iopipe[0];
	pfd[n++].events = POLLIN;
	if (kcommit_fd(&s->kc) >= 0) {
		pfd[n].fd = kcommit_fd(&s->kc);
		pfd[n++].events = POLLIN;
	}
	/*
	 * A pipe whose reader has gone reports POLLERR: notice it while the
	 * topic is idle too, not only at the next write.
	 */
	if (!s->epipe && fstat(STDOUT_FILENO, &st) == 0 && S_ISFIFO(st.st_mode)) {
		out = n;
		pfd[n].fd = STDOUT_FILENO;
		pfd[n++].events = 0;
	}
	if (poll(pfd, (nfds_t)n, ms) <= 0)
		return;
	if (pfd[0].revents & POLLIN)
		while (read(s->iopipe[0], junk, sizeof(junk)) > 0)
			;
	if (out >= 0 && (pfd[out].revents & POLLERR))
		s->epipe = 1;
}

static void
stats(struct sub *s, int final)
{
	double now = mono_ms();
	uint64_t pending = s->kc.ackmode ? kcommit_unacked(&s->kc) : 0;

	if (s->o->quiet)
		return;
	if (s->o->verbose && (final || now - s->laststats_ms >= STATS_MS)) {
		double secs = (now - s->laststats_ms) / 1000;

		if (final)
			secs = (now - s->start_ms) / 1000;
		progress_clear(&s->prog);
		warnmsg("%llu messages (%.0f/s), %" PRIu64 " lines, %llu skipped, "
		    "%" PRIu64 " acknowledged, %" PRIu64 " pending, %llu commits",
		    s->nmsgs, secs > 0 ? (final ? s->nmsgs :
		    s->nmsgs - s->statsmsgs) / secs : 0.0,
		    offtrack_written(&s->kc.ot), s->nskipped + s->nempty,
		    offtrack_acked(&s->kc.ot), pending, s->kc.ncommits);
		s->laststats_ms = now;
		s->statsmsgs = s->nmsgs;
	}
	if (!final)
		progress_update(&s->prog, "%llu messages, %" PRIu64 " pending",
		    s->nmsgs, pending);
}

static void
build_conf(struct sub *s, struct options *o, rd_kafka_conf_t *conf)
{
	char errstr[512];
	size_t bad;

	if (kconf_set(conf, "client.id", "wm-kafka-sub", errstr, sizeof(errstr)) < 0)
		die("%s", errstr);
	/*
	 * A sink cares about delay more than about idle fetch requests: a
	 * broker that holds an empty fetch for the full wait (librdkafka's
	 * default is 500 ms) would add that much to a row's way into the
	 * database. -X fetch.wait.max.ms=... overrides it.
	 */
	kconf_set(conf, "fetch.wait.max.ms", "100", errstr, sizeof(errstr));
	if (o->group) {
		/*
		 * Offsets are stored only for lines that are done (written, or
		 * acknowledged with --ack) and committed from there.
		 */
		kconf_set(conf, "group.id", o->group, errstr, sizeof(errstr));
		kconf_set(conf, "enable.auto.offset.store", "false", errstr,
		    sizeof(errstr));
		kconf_set(conf, "enable.auto.commit", "true", errstr, sizeof(errstr));
		kconf_set(conf, "auto.offset.reset",
		    o->off.kind == KOFF_END ? "latest" : "earliest", errstr,
		    sizeof(errstr));
	}
	/* conf is freed before a usage error: exit leaves nothing behind. */
	if (kconf_apply_tagged(conf, o->confargs, o->nconf, &bad, errstr,
	    sizeof(errstr)) < 0) {
		rd_kafka_conf_destroy(conf);
		dieusage("%s%s: %s", o->confargs[bad][0] == 'X' ? "-X " : "-F ",
		    o->confargs[bad] + 1, errstr);
	}
	if (o->brokers && kconf_set(conf, "bootstrap.servers", o->brokers,
	    errstr, sizeof(errstr)) < 0) {
		rd_kafka_conf_destroy(conf);
		dieusage("-b '%s': %s", o->brokers, errstr);
	}
	/* KAFKA_BROKERS only when neither -b nor -X/-F named brokers. */
	if (!kconf_isset(conf, "bootstrap.servers")) {
		const char *env = getenv("KAFKA_BROKERS");

		if (env == NULL || *env == '\0') {
			rd_kafka_conf_destroy(conf);
			dieusage("no brokers: give -b or set KAFKA_BROKERS");
		}
		kconf_set(conf, "bootstrap.servers", env, errstr, sizeof(errstr));
	}
	if (o->exit_eof)
		kconf_set(conf, "enable.partition.eof", "true", errstr, sizeof(errstr));
	if (o->group && kassign_check_conf(conf, errstr, sizeof(errstr)) < 0) {
		rd_kafka_conf_destroy(conf);
		dieusage("%s", errstr);
	}
	kcommit_init(&s->kc, kconf_isset(conf, "group.id") && o->group != NULL);
	rd_kafka_conf_set_opaque(conf, s);
	rd_kafka_conf_set_log_cb(conf, log_cb);
	rd_kafka_conf_set_error_cb(conf, error_cb);
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

	s->draining = 1;
	set_paused(s, 1);
	if (!s->epipe)
		flush_out(s);
	target = s->kc.flushed;
	if (s->kc.ackmode) {
		for (;;) {
			read_acks(s);
			commit_now(s, 1);
			if (offtrack_acked(&s->kc.ot) >= target || s->kc.broken)
				break;
			if (mono_ms() >= deadline || stop > signals)
				break;
			/* The sink is gone: what it acknowledged has been read. */
			if (s->epipe)
				break;
			consume(s, msgs);
			wait_events(s, TICK_MS);
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
		{ "drain-timeout", required_argument, NULL, 'D' },
		{ "max-pending", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct options o = { 0 };
	struct sub s = { 0 };
	rd_kafka_conf_t *conf;
	rd_kafka_message_t **msgs;
	char errstr[512];
	long v;
	int c, status;

	setprogname(argv[0]);
	o.max_pending = 100000;
	o.drain_timeout = 10;
	o.confargs = xcalloc((size_t)argc, sizeof(*o.confargs));
	o.topics = xcalloc((size_t)argc, sizeof(*o.topics));
	while ((c = getopt_long(argc, argv, "b:Cc:eF:G:hJo:qt:vVX:", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'A':
			o.ack_path = optarg;
			break;
		case 'b':
			o.brokers = optarg;
			break;
		case 'C':	/* kcat's consumer mode: the only mode here */
			break;
		case 'c':
			if (parse_long(optarg, 1, LONG_MAX, &v) < 0)
				dieusage("-c '%s': expected a positive count", optarg);
			o.count = v;
			break;
		case 'D':
			if (parse_seconds(optarg, &o.drain_timeout) < 0)
				dieusage("--drain-timeout '%s': expected seconds", optarg);
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
			usage(stdout);
			free_options(&o);
			return 0;
		case 'J':
			o.json = 1;
			break;
		case 'M':
			if (parse_long(optarg, 1, LONG_MAX, &v) < 0)
				dieusage("--max-pending '%s': expected a positive count",
				    optarg);
			o.max_pending = v;
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
			printf("wm-kafka-sub webmon-%s\n", WEBMON_VERSION);
			free_options(&o);
			return 0;
		case 'X':
			if (strcmp(optarg, "list") == 0 || strcmp(optarg, "help") == 0) {
				rd_kafka_conf_properties_show(stdout);
				free_options(&o);
				return 0;
			}
			o.confargs[o.nconf++] = kconf_tag('X', optarg);
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	/* As in kcat -G, topics may also follow the options. */
	while (optind < argc)
		o.topics[o.ntopics++] = argv[optind++];
	if (o.ntopics == 0)
		dieusage("no topic: give -t topic");
	if (o.off.kind == KOFF_STORED && o.group == NULL)
		dieusage("-o stored needs a consumer group (-G)");

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

	s.rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
	if (s.rk == NULL)
		die("kafka: %s", errstr);
	if (pipe2(s.iopipe, O_NONBLOCK | O_CLOEXEC) < 0)
		die("pipe:");
	if (o.group) {
		rd_kafka_topic_partition_list_t *l =
		    rd_kafka_topic_partition_list_new(o.ntopics);
		rd_kafka_resp_err_t err;
		int i;

		rd_kafka_poll_set_consumer(s.rk);
		s.q = rd_kafka_queue_get_consumer(s.rk);
		for (i = 0; i < o.ntopics; i++)
			rd_kafka_topic_partition_list_add(l, o.topics[i],
			    RD_KAFKA_PARTITION_UA);
		if ((err = rd_kafka_subscribe(s.rk, l)))
			die("subscribe: %s", rd_kafka_err2str(err));
		rd_kafka_topic_partition_list_destroy(l);
	} else {
		s.q = rd_kafka_queue_new(s.rk);
	}
	rd_kafka_queue_io_event_enable(s.q, s.iopipe[1], "1", 1);
	s.kc.rk = s.rk;
	if (!o.group && kassign_start_simple(s.rk, s.q, &s.kc, o.topics,
	    o.ntopics, &o.off, &s.rkts, errstr, sizeof(errstr)) < 0)
		die("%s", errstr);

	msgs = xreallocarray(NULL, BATCH, sizeof(*msgs));
	while (!stop && !s.fatal && !s.epipe && !s.draining) {
		read_acks(&s);
		if (s.kc.ackmode)
			set_paused(&s, offtrack_pending(&s.kc.ot) >= (size_t)o.max_pending);
		if (consume(&s, msgs) > 0 && !s.paused)
			continue;
		flush_out(&s);
		commit_now(&s, 1);
		if (o.exit_eof && offtrack_all_eof(&s.kc.ot))
			break;
		stats(&s, 0);
		wait_events(&s, TICK_MS);
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

	status = 0;
	if (s.fatal)
		status = 1;
	else if (s.nskipped > 0)
		status = 3;
	kcommit_free(&s.kc);
	buf_free(&s.out);
	free_options(&o);
	return status;
}
