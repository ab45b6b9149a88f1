/*
 * wm-kafka-pub: publish lines (or -D records) to a Kafka topic, one message
 * each, and exit only when every line has a delivery report. Lines that could
 * not be delivered are written verbatim to --failed (default stderr).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#include "buf.h"
#include "cli.h"
#include "infiles.h"
#include "kafka/kbatch.h"
#include "kafka/kcatflags.h"
#include "kafka/kcli.h"
#include "kafka/kconf.h"
#include "kafka/kdeliver.h"
#include "kafka/kfailfast.h"
#include "kafka/khash.h"
#include "kafka/kkey.h"
#include "kafka/klog.h"
#include "kafka/korigin.h"
#include "kafka/koutage.h"
#include "kafka/kpace.h"
#include "kafka/kprod.h"
#include "kafka/kread.h"
#include "lines.h"
#include "progress.h"
#include "timeutil.h"
#include "util.h"

#define DEFAULT_MAX_LINE (16L * 1024 * 1024)
#define STATS_EVERY_MS 10000.0
#define POLL_EVERY 1024		/* serve delivery reports every N lines */
#define BATCH_LINES 4096	/* lines gathered before producing them */
#define BATCH_BYTES (1024 * 1024)

static volatile sig_atomic_t stop;	/* 1: stop reading; 2+: stop waiting */

struct options {
	const char *brokers;
	const char *topic;
	int32_t partition;
	const char *key;		/* -k: constant key */
	struct kprod kp;		/* -D, -H, -K, -l, -T, -Z */
	const char *keyfield;		/* --key-field, "" for none */
	const char *failed;		/* --failed path, NULL for stderr */
	long max_line;
	long count;			/* -c: stop after this many lines, 0 = all */
	double flush_timeout;		/* seconds to wait after a signal */
	int verbose, quiet;
	char **confargs;		/* -X/-F in command-line order, "X..." or "F..." */
	size_t nconfargs;
};

struct pub {
	const struct options *opt;
	rd_kafka_t *rk;
	rd_kafka_topic_t *rkt;
	struct kdeliver dl;		/* failed lines, input names */
	unsigned long read, delivered, failed, unkeyed, inflight;
	unsigned long paced;		/* batches that waited for room */
	int teeerr;			/* errno of a failed -T write */
	int32_t nparts;			/* partitions to hash keys over, 0: unknown */
	double start_ms, last_stats_ms;
	struct progress prog;
	struct kkey kk;			/* how a line's key is found */
	struct kpace pace;		/* bytes let wait in librdkafka */
	struct kbatch_cb kcb;		/* how kbatch_flush() reports to us */
};

static void
onsignal(int sig)
{
	if (stop < 3)
		stop++;
}

/* Count m as failed and write it to --failed; also kbatch_flush()'s refusal. */
static void
fail_line(void *arg, const rd_kafka_message_t *m, const char *why)
{
	struct pub *p = arg;
	char err[512];

	p->failed++;
	if (kdeliver_fail(&p->dl, m, why, err, sizeof(err)) < 0)
		die("%s", err);
}

static void
on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *rkm, void *opaque)
{
	struct pub *p = opaque;

	p->inflight--;
	p->pace.held -= rkm->len + rkm->key_len;
	if (rkm->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
		p->delivered++;
		koutage_up();
	} else
		fail_line(p, rkm, kdeliver_why(rkm->err));
}

static void
on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	struct pub *p = opaque;

	if (klog_error(rk, err, reason, p->opt->verbose, p->opt->quiet,
	    &p->prog) && !stop)
		stop = 1;
}

static void
on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	struct pub *p = rd_kafka_opaque(rk);

	klog_line(level, fac, buf, p->opt->verbose, &p->prog);
}

static void
stats(struct pub *p, const char *kind)
{
	double secs = (mono_ms() - p->start_ms) / 1000.0;

	statsmsg(kind, "read=%lu delivered=%lu failed=%lu inflight=%lu "
	    "unkeyed=%lu paced=%lu seconds=%.1f lines/s=%.0f%s", p->read,
	    p->delivered, p->failed, p->inflight, p->unkeyed, p->paced, secs,
	    secs > 0 ? p->delivered / secs : 0.0,
	    strcmp(kind, "total") == 0 && stop ? " interrupted=1" : "");
}

/* Serve delivery reports; print periodic stats and the progress line. */
static void
service(void *arg, int timeout_ms)
{
	struct pub *p = arg;

	rd_kafka_poll(p->rk, timeout_ms);
	if (p->opt->quiet)
		return;
	if (p->opt->verbose && mono_ms() - p->last_stats_ms >= STATS_EVERY_MS) {
		p->last_stats_ms = mono_ms();
		stats(p, "stats");
	}
	progress_update(&p->prog, "%lu read, %lu delivered, %lu failed, "
	    "%lu in flight", p->read, p->delivered, p->failed, p->inflight);
}

/* kbatch_flush() callbacks: accepted, queue full, wait. */
static void
kb_queued(void *arg, size_t n, size_t bytes)
{
	struct pub *p = arg;

	p->inflight += n;
	p->pace.held += bytes;
}

static int
kb_retry(void *arg)
{
	return stop < 2;
}

static void
kb_wait(void *arg)
{
	service(arg, 50);	/* backpressure: wait for deliveries */
}

/*
 * Hand the batch to librdkafka, once an idempotent producer has room for
 * it (kpace.h): waiting serves delivery reports, it does not spin. After a
 * signal it does not wait: the drain's --flush-timeout bounds the rest.
 */
static void
flush(struct pub *p, struct kbatch *b)
{
	int32_t nparts = p->opt->partition != RD_KAFKA_PARTITION_UA ? 1 :
	    b->nparts;

	if (kpace_over(&p->pace, nparts, b->arena.len))
		p->paced++;
	while (!stop && kpace_over(&p->pace, nparts, b->arena.len))
		service(p, 50);
	kbatch_flush(b, p->rkt, p->opt->partition, &p->kcb);
}

/* Take one line: find its key and add it to the batch. */
static void
publish(struct pub *p, struct kbatch *b, size_t fileidx, unsigned long lineno,
    const char *line, size_t len)
{
	struct korigin o = { .file = fileidx, .lineno = lineno };
	const char *payload = line, *key;
	size_t plen = len, keylen = 0;

	if ((key = kkey_find(&p->kk, &payload, &plen, &keylen, &o.delim)) == NULL)
		p->unkeyed++;
	/* -T: the line as read, before delivery; a closed stdout stops reading */
	if (p->opt->kp.tee && !p->teeerr)
		p->teeerr = kprod_tee(&p->opt->kp, line, len);
	p->read++;
	kbatch_add(b, __atomic_load_n(&p->nparts, __ATOMIC_RELAXED), key,
	    keylen, payload, plen, korigin_pack(&o));
	if (b->n >= BATCH_LINES || b->arena.len >= BATCH_BYTES)
		flush(p, b);
}

/*
 * 1 if input is ready (or waiting makes no sense), 0 on timeout. Before
 * waiting, the batch goes out: lines never wait for more input.
 */
static int
input_ready(struct pub *p, struct kbatch *b, struct kread *l)
{
	if (kread_wait(l, 0))
		return 1;
	flush(p, b);
	if (p->opt->kp.tee && !p->teeerr)
		p->teeerr = kprod_tee(&p->opt->kp, NULL, 0);
	return kread_wait(l, 100);
}

/* Publish the lines of one input. Returns -1 on a read error. */
static int
publish_fd(struct pub *p, struct kbatch *b, int fd, const char *name)
{
	struct kread l;
	const char *line;
	size_t len, left;
	unsigned n = 0;
	int rc = 0;
	char err[128];
	long fileidx;

	if ((fileidx = kdeliver_addfile(&p->dl, name, err, sizeof(err))) < 0)
		die("%s", err);
	kread_init(&l, fd, p->opt->kp.delim, p->opt->kp.dlen,
	    (size_t)p->opt->max_line);
	while ((p->opt->count == 0 || (long)p->read < p->opt->count) &&
	    !p->teeerr) {
		int r;

		if (stop) {
			/* A signal stops reading, not publishing: every whole
			 * line already read goes out (or to --failed). */
			if (!kread_complete(&l))
				break;
		} else if (!input_ready(p, b, &l)) {
			service(p, 0);
			continue;
		}
		r = kread_next(&l, &line, &len);
		if (r == LINES_EOF)
			break;
		if (r == LINES_ERR) {
			progress_clear(&p->prog);
			warnmsg("read '%s':", name);
			rc = -1;
			break;
		}
		if (r == LINES_TOOLONG) {
			/* Only a prefix was kept: it cannot be written verbatim. */
			progress_clear(&p->prog);
			warnmsg("%s:%lu: line longer than %ld bytes: not sent",
			    name, l.lineno, p->opt->max_line);
			p->read++;
			p->failed++;
			continue;
		}
		publish(p, b, (size_t)fileidx, l.lineno, line, len);
		if (++n % POLL_EVERY == 0)
			service(p, 0);
	}
	flush(p, b);
	/* Stopped inside a line: its bytes go back to a seekable input; on
	 * a pipe they cannot, and the line counts as failed. */
	if (stop && !l.eof && (left = kread_unread(&l)) > 0) {
		progress_clear(&p->prog);
		warnmsg("%s: stopped inside a line: %zu bytes read, not sent",
		    name, left);
		p->failed++;
	}
	kread_free(&l);
	return rc;
}

static void
apply_conf(rd_kafka_conf_t *conf, const struct options *o)
{
	char errstr[512];
	size_t i;

	if (kconf_producer(conf, errstr, sizeof(errstr)) < 0)
		die("%s", errstr);
	if (kconf_kcat_config(conf, o->confargs, o->nconfargs, errstr,
	    sizeof(errstr)) < 0)
		dieusage("%s", errstr);
	if (kconf_apply_tagged(conf, o->confargs, o->nconfargs, &i, errstr,
	    sizeof(errstr)) < 0)
		dieusage("%s %s", o->confargs[i][0] == 'F' ? "-F" : "-X", errstr);
	if (kconf_brokers(conf, o->brokers, errstr, sizeof(errstr)) < 0)
		dieusage("%s", errstr);
}

static void
parse_args(int argc, char **argv, struct options *o)
{
	enum { OPT_FAILED = 256, OPT_FLUSH, OPT_KEYFIELD, OPT_MAXLINE };
	static const struct option longopts[] = {
		{ "failed", required_argument, NULL, OPT_FAILED },
		{ "flush-timeout", required_argument, NULL, OPT_FLUSH },
		{ "help", no_argument, NULL, 'h' },
		{ "key-field", required_argument, NULL, OPT_KEYFIELD },
		{ "max-line", required_argument, NULL, OPT_MAXLINE },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	char errstr[256];
	long v;
	int ch;

	/* each takes an argument: argc bounds their number */
	o->confargs = xcalloc((size_t)argc, sizeof(*o->confargs));
	while ((ch = cli_getopt(argc, argv, "b:c:F:hk:Pp:qt:VvX:z:"
	    KCATFLAG_OPTS KPROD_OPTS, longopts)) != -1) {
		switch (ch) {
		case 'm':
			(void)cli_seconds(optarg, 0.001);	/* the shared message */
			if ((o->confargs[o->nconfargs++] = kcatflag_tag(ch, optarg,
			    errstr, sizeof(errstr))) == NULL)
				dieusage("%s", errstr);
			break;
		case 'b':
			o->brokers = optarg;
			break;
		case 'c':
			o->count = cli_long(optarg, 1, 1L << 62);
			break;
		case 'F':
			o->confargs[o->nconfargs++] = kconf_tag('F', optarg);
			break;
		case 'h':
			cli_help();
		case 'D': case 'H': case 'K': case 'l': case 'T': case 'Z':
			if (kprod_opt(&o->kp, ch, optarg, errstr,
			    sizeof(errstr)) < 0)
				dieusage("%s", errstr);
			break;
		case 'k':
			o->key = optarg;
			break;
		case 'P':
			break;	/* kcat's produce mode: the only mode here */
		case 'p':
			v = cli_long(optarg, -1, INT32_MAX);
			o->partition = v < 0 ? RD_KAFKA_PARTITION_UA : (int32_t)v;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 't':
			o->topic = optarg;
			break;
		case 'V':
			cli_version();
		case 'v':
			o->verbose++;
			break;
		case 'X':
			if (strcmp(optarg, "list") == 0) {
				rd_kafka_conf_properties_show(stdout);
				exit(0);
			}
			o->confargs[o->nconfargs++] = kconf_tag('X', optarg);
			break;
		case 'z':
			o->confargs[o->nconfargs] = xmalloc(strlen(optarg) + 20);
			sprintf(o->confargs[o->nconfargs++],
			    "Xcompression.codec=%s", optarg);
			break;
		case OPT_FAILED:
			o->failed = optarg;
			break;
		case OPT_FLUSH:
			o->flush_timeout = cli_seconds(optarg, 0);
			break;
		case OPT_KEYFIELD:
			o->keyfield = optarg;
			break;
		case OPT_MAXLINE:
			o->max_line = cli_long(optarg, 1, 1L << 40);
			break;
		}
	}
	if (o->topic == NULL || *o->topic == '\0')
		dieusage("no topic: use -t topic");
	if (o->kp.tee && o->failed && strcmp(o->failed, "-") == 0)
		dieusage("-T and --failed - would both write to stdout");
}

int
main(int argc, char **argv)
{
	struct options o = {
		.partition = RD_KAFKA_PARTITION_UA,
		.keyfield = "url",
		.max_line = DEFAULT_MAX_LINE,
		.flush_timeout = 10,
	};
	struct pub p = {
		.opt = &o,
		.kk = { .tmp = BUF_INIT },
		.kcb = { &p, kb_queued, fail_line, kb_retry, kb_wait },
	};
	struct kbatch b = KBATCH_INIT;
	rd_kafka_conf_t *conf;
	char errstr[512];
	size_t i;
	int status = 0, rc = 0, hash;

	cli_init(&kafka_pub_cli);
	parse_args(argc, argv, &o);
	p.kk.key = o.key;
	p.kk.delim = o.kp.keydelim;
	p.kk.dlen = o.kp.keydelim ? strlen(o.kp.keydelim) : 0;
	p.kk.nulls = o.kp.nulls;
	p.kk.field = o.keyfield;

	conf = rd_kafka_conf_new();
	apply_conf(conf, &o);
	hash = khash_possible(conf, o.partition, o.key || o.kp.keydelim ||
	    *o.keyfield);
	rd_kafka_conf_set_opaque(conf, &p);
	rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
	kfailfast_conf(conf, on_error);
	koutage_conf(conf, o.verbose, o.quiet, &p.prog);
	rd_kafka_conf_set_log_cb(conf, on_log);

	p.dl.keydelim = o.kp.keydelim;
	p.dl.delim = o.kp.delim;
	p.dl.quiet = o.quiet;
	p.dl.prog = &p.prog;
	if (kdeliver_open(&p.dl, o.failed, errstr, sizeof(errstr)) < 0)
		die("%s", errstr);

	catch_stop_signals(onsignal);
	ignore_sigpipe();
	if (!o.quiet)
		progress_init(&p.prog);

	if ((p.rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr,
	    sizeof(errstr))) == NULL)
		dieusage("%s", errstr);
	if (kfailfast_wait(p.rk, &stop, errstr, sizeof(errstr)) < 0)
		die("kafka: %s", errstr);
	if ((p.rkt = khash_topic(p.rk, o.topic, hash ? &p.nparts : NULL,
	    errstr, sizeof(errstr))) == NULL)
		die("%s", errstr);
	kpace_init(&p.pace, p.rk);
	b.hdrs = o.kp.hdrs;
	b.rk = p.rk;
	p.start_ms = p.last_stats_ms = mono_ms();

	/* No operand: standard input, even after a signal. */
	for (i = (size_t)optind; i < (size_t)argc ? !stop : i == (size_t)optind;
	    i++) {
		const char *name;
		int fd = infiles_open(i < (size_t)argc ? argv[i] : "-", &name,
		    errstr, sizeof(errstr));

		if (fd < 0) {
			progress_clear(&p.prog);
			warnmsg("%s", errstr);
			rc = -1;
			continue;
		}
		rc |= publish_fd(&p, &b, fd, name);
		if (fd != STDIN_FILENO)
			close(fd);
	}
	kdeliver_drain(p.rk, &p.inflight, &stop, o.flush_timeout, service, &p);
	progress_clear(&p.prog);
	if (o.kp.tee && !p.teeerr)
		p.teeerr = kprod_tee(&o.kp, NULL, 0);
	if (p.teeerr && p.teeerr != EPIPE) {	/* a closed stdout: just stop */
		warnmsg("write <stdout>: %s", strerror(p.teeerr));
		rc = -1;
	}
	if (kdeliver_close(&p.dl, errstr, sizeof(errstr)) < 0)
		die("%s", errstr);
	if (o.verbose || (p.failed && !o.quiet))
		stats(&p, "total");
	if (p.failed || rc < 0)
		status = 1;

	rd_kafka_topic_destroy(p.rkt);
	rd_kafka_destroy(p.rk);
	kkey_free(&p.kk);
	kbatch_free(&b);
	kprod_free(&o.kp);
	for (i = 0; i < o.nconfargs; i++)
		free(o.confargs[i]);
	free(o.confargs);
	return status;
}
