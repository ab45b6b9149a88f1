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

#include "ackreader.h"
#include "buf.h"
#include "kafka/kbrokers.h"
#include "kafka/kcatflags.h"
#include "kafka/kconf.h"
#include "kafka/kfailfast.h"
#include "kafka/kenvelope.h"
#include "kafka/koffset.h"
#include "kafka/offtrack.h"
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
	struct offtrack ot;
	struct ackreader ar;
	int ackmode;
	int commits;		/* a group.id is set: offsets can be committed */
	struct buf out;
	uint64_t flushed;	/* lines handed to write() successfully */
	int paused;
	int draining;		/* taking no more messages */
	int epipe;
	int fatal;
	unsigned long long nmsgs, nskipped, nempty, ncommits, ncommitfail;
	double lastcommit_ms, laststats_ms, start_ms;
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
	    "usage: wm-kafka-sub [-eJqvV] [-b brokers] [-c count] [-F file]\n"
	    "                    [-G group] [-m secs] [-o offset] [-X prop=val] [--ack path]\n"
	    "                    [--drain-timeout secs] [--max-pending lines]\n"
	    "                    -t topic ... [topic ...]\n"
	    "  -b brokers          bootstrap brokers (default $KAFKA_BROKERS)\n"
	    "  -t topic            topic to read; may be repeated\n"
	    "  -G group            consumer group: share partitions, commit offsets\n"
	    "  -o offset           beginning|end|stored|N|-N|s@ms: where to start\n"
	    "  -e                  exit at the end of every partition\n"
	    "  -c count            exit after count messages\n"
	    "  -m secs             wait this long for a first broker (10)\n"
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

	if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
		s->ncommits++;
	else if (err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
		s->ncommitfail++;
		warnmsg("commit: %s", rd_kafka_err2str(err));
	}
}

/* Take every acknowledgement available now. */
static void
read_acks(struct sub *s)
{
	uint64_t n;
	char bad[ACKREADER_LINEMAX + 4];
	int rc;

	if (!s->ackmode)
		return;
	while ((rc = ackreader_next(&s->ar, &n, bad, sizeof(bad))) != ACK_NONE) {
		if (rc == ACK_ERR) {
			warnmsg("read '%s':", s->o->ack_path);
			s->fatal = 1;
			return;
		}
		if (rc == ACK_BAD) {
			warnmsg("%s:%lu: not a line count, ignored: '%s'",
			    s->o->ack_path, s->ar.lineno, bad);
			continue;
		}
		if (n > s->ot.written) {
			warnmsg("%s:%lu: acknowledges %" PRIu64 " lines but only %"
			    PRIu64 " were written", s->o->ack_path, s->ar.lineno,
			    n, s->ot.written);
			n = s->ot.written;
		}
		offtrack_ack(&s->ot, n);
	}
}

/*
 * Store and commit the offsets that moved since the last commit. An
 * asynchronous commit is rate-limited; a synchronous one (revoke, exit)
 * always goes out.
 */
static void
commit_now(struct sub *s, int async)
{
	rd_kafka_topic_partition_list_t *l;
	rd_kafka_resp_err_t err;
	size_t i;

	if (!s->commits)
		return;
	if (async && mono_ms() - s->lastcommit_ms < (s->ackmode ? 200 : 1000))
		return;
	l = rd_kafka_topic_partition_list_new(4);
	for (i = 0; i < s->ot.nparts; i++) {
		struct ot_part *p = &s->ot.parts[i];

		if (p->assigned && p->dirty && p->next >= 0)
			rd_kafka_topic_partition_list_add(l, p->topic,
			    p->partition)->offset = p->next;
		p->dirty = 0;
	}
	if (l->cnt > 0) {
		s->lastcommit_ms = mono_ms();
		err = rd_kafka_offsets_store(s->rk, l);
		if (err && err != RD_KAFKA_RESP_ERR__STATE)
			warnmsg("store offsets: %s", rd_kafka_err2str(err));
		err = rd_kafka_commit(s->rk, l, async);
		if (!async && err && err != RD_KAFKA_RESP_ERR__NO_OFFSET)
			warnmsg("commit: %s", rd_kafka_err2str(err));
	}
	rd_kafka_topic_partition_list_destroy(l);
}

/* Partitions currently assigned, as a list the caller destroys. */
static rd_kafka_topic_partition_list_t *
assigned(struct sub *s)
{
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(4);
	size_t i;

	for (i = 0; i < s->ot.nparts; i++)
		if (s->ot.parts[i].assigned)
			rd_kafka_topic_partition_list_add(l, s->ot.parts[i].topic,
			    s->ot.parts[i].partition);
	return l;
}

static void
set_paused(struct sub *s, int pause)
{
	rd_kafka_topic_partition_list_t *l;

	if (s->paused == pause)
		return;
	l = assigned(s);
	if (pause)
		rd_kafka_pause_partitions(s->rk, l);
	else
		rd_kafka_resume_partitions(s->rk, l);
	rd_kafka_topic_partition_list_destroy(l);
	s->paused = pause;
}

/* Start offsets for -o s@ms: look them up for every partition in l. */
static void
lookup_times(struct sub *s, rd_kafka_topic_partition_list_t *l)
{
	rd_kafka_resp_err_t err;
	int i;

	for (i = 0; i < l->cnt; i++)
		l->elems[i].offset = s->o->off.val;
	err = rd_kafka_offsets_for_times(s->rk, l, 10000);
	if (err)
		die("offsets for s@%" PRId64 ": %s", s->o->off.val,
		    rd_kafka_err2str(err));
	for (i = 0; i < l->cnt; i++)
		if (l->elems[i].err)
			die("offsets for s@%" PRId64 ": '%s' [%" PRId32 "]: %s",
			    s->o->off.val, l->elems[i].topic, l->elems[i].partition,
			    rd_kafka_err2str(l->elems[i].err));
}

static void
rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
    rd_kafka_topic_partition_list_t *parts, void *opaque)
{
	struct sub *s = opaque;
	int coop = strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
	rd_kafka_topic_partition_list_t *fresh;
	int i;

	if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
		/*
		 * An explicit -o N, -N or s@ms moves partitions this process
		 * has not read yet; after that the group's offsets rule.
		 */
		fresh = rd_kafka_topic_partition_list_new(parts->cnt);
		for (i = 0; i < parts->cnt; i++) {
			size_t idx = offtrack_part(&s->ot, parts->elems[i].topic,
			    parts->elems[i].partition);
			struct ot_part *p = &s->ot.parts[idx];

			if (p->gen == 0 && !p->assigned)
				rd_kafka_topic_partition_list_add(fresh, p->topic,
				    p->partition);
			p->assigned = 1;
			p->eof = 0;
			p->dirty = 0;
		}
		if (s->o->off.kind == KOFF_TIME && fresh->cnt > 0)
			lookup_times(s, fresh);
		for (i = 0; i < parts->cnt; i++) {
			rd_kafka_topic_partition_t *f = rd_kafka_topic_partition_list_find(
			    fresh, parts->elems[i].topic, parts->elems[i].partition);

			if (f == NULL)
				continue;
			if (s->o->off.kind == KOFF_TIME)
				parts->elems[i].offset = f->offset;
			else if (s->o->off.kind == KOFF_ABS || s->o->off.kind == KOFF_TAIL)
				parts->elems[i].offset = koffset_start(&s->o->off);
		}
		rd_kafka_topic_partition_list_destroy(fresh);
		if (s->o->verbose) {
			progress_clear(&s->prog);
			warnmsg("assigned %d partition(s)", parts->cnt);
		}
		if (coop)
			rd_kafka_incremental_assign(rk, parts);
		else
			rd_kafka_assign(rk, parts);
		if (s->paused || s->draining)
			rd_kafka_pause_partitions(rk, parts);
		return;
	}
	if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
		/* Commit what the sink has acknowledged, then forget the rest. */
		read_acks(s);
		if (!rd_kafka_assignment_lost(rk))
			commit_now(s, 0);
		for (i = 0; i < parts->cnt; i++)
			offtrack_drop(&s->ot, offtrack_part(&s->ot,
			    parts->elems[i].topic, parts->elems[i].partition));
		if (s->o->verbose) {
			progress_clear(&s->prog);
			warnmsg("revoked %d partition(s)", parts->cnt);
		}
		if (coop)
			rd_kafka_incremental_unassign(rk, parts);
		else
			rd_kafka_assign(rk, NULL);
		return;
	}
	warnmsg("rebalance: %s", rd_kafka_err2str(err));
	rd_kafka_assign(rk, NULL);
}

/* Write the buffered lines; on success they count as written. */
static int
flush_out(struct sub *s)
{
	if (s->out.len == 0)
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
	s->flushed = s->ot.written;
	if (!s->ackmode) {
		/* Without a sink's word, a line written is a line done. */
		offtrack_ack(&s->ot, s->flushed);
	}
	return 0;
}

/* Write one message (or report it), and track its offset. */
static void
take(struct sub *s, const rd_kafka_message_t *m)
{
	const char *topic = rd_kafka_topic_name(m->rkt);
	size_t idx = offtrack_part(&s->ot, topic, m->partition);
	struct ot_part *p = &s->ot.parts[idx];

	p->eof = 0;
	s->nmsgs++;
	if (s->o->json) {
		kenvelope_write(&s->out, m);
		s->ot.written++;
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
		s->ot.written++;
	}
	offtrack_push(&s->ot, idx, m->offset, s->ot.written);
}

static void
on_error_msg(struct sub *s, const rd_kafka_message_t *m)
{
	const char *topic = m->rkt ? rd_kafka_topic_name(m->rkt) : "";

	if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
		if (m->rkt != NULL)
			s->ot.parts[offtrack_part(&s->ot, topic, m->partition)].eof = 1;
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
	if (s->ackmode && !s->draining) {
		room = (size_t)s->o->max_pending > offtrack_pending(&s->ot) ?
		    (size_t)s->o->max_pending - offtrack_pending(&s->ot) : 1;
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

static int
all_eof(struct sub *s)
{
	size_t i;
	int any = 0;

	for (i = 0; i < s->ot.nparts; i++) {
		if (!s->ot.parts[i].assigned)
			continue;
		if (!s->ot.parts[i].eof)
			return 0;
		any = 1;
	}
	return any;
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
	if (s->ackmode && ackreader_fd(&s->ar) >= 0) {
		pfd[n].fd = ackreader_fd(&s->ar);
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
	uint64_t pending = s->ot.written - s->ot.acked;

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
		    s->nmsgs - s->statsmsgs) / secs : 0.0, s->ot.written,
		    s->nskipped + s->nempty, s->ot.acked, s->ackmode ? pending : 0,
		    s->ncommits);
		s->laststats_ms = now;
		s->statsmsgs = s->nmsgs;
	}
	if (!final)
		progress_update(&s->prog, "%llu messages, %" PRIu64 " pending",
		    s->nmsgs, s->ackmode ? pending : 0);
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
	if (kbrokers_kcat_config(conf, o->confargs, o->nconf, errstr,
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
	if (kbrokers_resolve(conf, o->brokers, errstr, sizeof(errstr)) < 0) {
		rd_kafka_conf_destroy(conf);
		dieusage("%s", errstr);
	}
	if (o->exit_eof)
		kconf_set(conf, "enable.partition.eof", "true", errstr, sizeof(errstr));
	s->commits = kconf_isset(conf, "group.id") && o->group != NULL;
	rd_kafka_conf_set_opaque(conf, s);
	rd_kafka_conf_set_log_cb(conf, log_cb);
	kfailfast_conf(conf, error_cb);
	rd_kafka_conf_set_offset_commit_cb(conf, commit_cb);
	if (o->group)
		rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
}

/* Without -G: every partition of every topic, like kcat -C. */
static void
start_simple(struct sub *s)
{
	const struct options *o = s->o;
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(8);
	int t, i;

	s->rkts = xcalloc((size_t)o->ntopics, sizeof(*s->rkts));
	for (t = 0; t < o->ntopics; t++) {
		const struct rd_kafka_metadata *md;
		rd_kafka_resp_err_t err;

		s->rkts[t] = rd_kafka_topic_new(s->rk, o->topics[t], NULL);
		if (s->rkts[t] == NULL)
			die("topic '%s': %s", o->topics[t],
			    rd_kafka_err2str(rd_kafka_last_error()));
		err = rd_kafka_metadata(s->rk, 0, s->rkts[t], &md, 10000);
		if (err)
			die("topic '%s': metadata: %s", o->topics[t],
			    rd_kafka_err2str(err));
		if (md->topic_cnt != 1 || md->topics[0].err)
			die("topic '%s': %s", o->topics[t], rd_kafka_err2str(
			    md->topic_cnt ? md->topics[0].err :
			    RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART));
		for (i = 0; i < md->topics[0].partition_cnt; i++)
			rd_kafka_topic_partition_list_add(l, o->topics[t],
			    md->topics[0].partitions[i].id);
		rd_kafka_metadata_destroy(md);
	}
	if (o->off.kind == KOFF_TIME)
		lookup_times(s, l);
	for (i = 0; i < l->cnt; i++) {
		size_t idx = offtrack_part(&s->ot, l->elems[i].topic,
		    l->elems[i].partition);
		int64_t off = o->off.kind == KOFF_TIME ? l->elems[i].offset :
		    koffset_start(&o->off);

		s->ot.parts[idx].assigned = 1;
		for (t = 0; t < o->ntopics; t++)
			if (strcmp(o->topics[t], l->elems[i].topic) == 0)
				break;
		if (rd_kafka_consume_start_queue(s->rkts[t],
		    l->elems[i].partition, off, s->q) < 0)
			die("'%s' [%" PRId32 "]: start: %s", l->elems[i].topic,
			    l->elems[i].partition,
			    rd_kafka_err2str(rd_kafka_last_error()));
	}
	rd_kafka_topic_partition_list_destroy(l);
}

static void
stop_simple(struct sub *s)
{
	size_t i;
	int t;

	for (i = 0; i < s->ot.nparts; i++)
		for (t = 0; t < s->o->ntopics; t++)
			if (strcmp(s->o->topics[t], s->ot.parts[i].topic) == 0)
				rd_kafka_consume_stop(s->rkts[t],
				    s->ot.parts[i].partition);
	for (t = 0; t < s->o->ntopics; t++)
		rd_kafka_topic_destroy(s->rkts[t]);
	free(s->rkts);
}

/*
 * Stopping: take no more messages, wait (bounded) until the sink has
 * acknowledged what was written, and commit that.
 */
static void
drain(struct sub *s, rd_kafka_message_t **msgs)
{
	double deadline = mono_ms() + s->o->drain_timeout * 1000;
	unsigned long hangups = s->ar.hangups;
	uint64_t target;
	int signals = stop;

	s->draining = 1;
	set_paused(s, 1);
	if (!s->epipe)
		flush_out(s);
	target = s->flushed;
	if (s->ackmode) {
		for (;;) {
			read_acks(s);
			commit_now(s, 1);
			if (s->ot.acked >= target || s->fatal)
				break;
			if (mono_ms() >= deadline || stop > signals)
				break;
			/* The sink is gone: no more acknowledgements will come. */
			if (s->epipe && s->ar.hangups != hangups)
				break;
			consume(s, msgs);
			wait_events(s, TICK_MS);
		}
		if (s->ot.acked < target && !s->o->quiet)
			warnmsg("%" PRIu64 " lines not acknowledged; they will "
			    "be read again", target - s->ot.acked);
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
	while ((c = getopt_long(argc, argv, "b:Cc:eF:G:hJo:qt:vVX:"
	    KCATFLAG_OPTS, longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
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
			if (c == '?' && kcatflag_unsupported(optopt, 0))
				dieusage("%s", kcatflag_unsupported(optopt, 0));
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
	offtrack_init(&s.ot);
	progress_init(&s.prog);
	if (o.quiet)
		s.prog.enabled = 0;
	conf = rd_kafka_conf_new();
	build_conf(&s, &o, conf);
	if (o.ack_path) {
		if (ackreader_open(&s.ar, o.ack_path, errstr, sizeof(errstr)) < 0)
			die("--ack: %s", errstr);
		s.ackmode = 1;
	}

	ignore_sigpipe();
	catch_stop_signals(onsignal);

	s.rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
	if (s.rk == NULL)
		die("kafka: %s", errstr);
	if (kfailfast_wait(s.rk, &stop, errstr, sizeof(errstr)) < 0)
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
	if (!o.group)
		start_simple(&s);

	msgs = xreallocarray(NULL, BATCH, sizeof(*msgs));
	while (!stop && !s.fatal && !s.epipe && !s.draining) {
		read_acks(&s);
		if (s.ackmode)
			set_paused(&s, offtrack_pending(&s.ot) >= (size_t)o.max_pending);
		if (consume(&s, msgs) > 0 && !s.paused)
			continue;
		flush_out(&s);
		commit_now(&s, 1);
		if (o.exit_eof && all_eof(&s))
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
		stop_simple(&s);
	rd_kafka_queue_io_event_enable(s.q, -1, NULL, 0);
	rd_kafka_queue_destroy(s.q);
	rd_kafka_destroy(s.rk);
	close(s.iopipe[0]);
	close(s.iopipe[1]);
	if (s.ackmode)
		ackreader_close(&s.ar);

	status = 0;
	if (s.fatal)
		status = 1;
	else if (s.nskipped > 0)
		status = 3;
	offtrack_free(&s.ot);
	buf_free(&s.out);
	free_options(&o);
	return status;
}
