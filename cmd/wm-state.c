/*
 * wm-state: result records in, state-change events out (DESIGN.md "Events").
 * The state machine is lib/state/fold.c; this file holds options, the read
 * loop, the state file and the acknowledgements.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "lines.h"
#include "progress.h"
#include "state/chain.h"
#include "state/fold.h"
#include "timeutil.h"
#include "util.h"

#define OUT_FLUSH (64 * 1024)	/* write events out past this much */

static volatile sig_atomic_t stop;

struct options {
	struct fold_conf fc;
	const char *state, *ack_in, *ack_out;
	long maxline;
	double stats_s, save_s;
	int verbose;
};

_Noreturn static void
usage(int code)
{
	fprintf(code ? stderr : stdout,
	    "usage: wm-state [-hVv] [--fail N] [--success N] [--degrade N]\n"
	    "                [--quorum K] [--stale SECONDS] [--cert-days D,D,...]\n"
	    "                [--state FILE [--save-interval S]]\n"
	    "                [--ack-in PATH --ack-out PATH]\n"
	    "                [--max-line BYTES] [--stats-interval S]\n"
	    "      --fail N            failed results in a row turn a target down (3)\n"
	    "      --success N         ok results in a row turn it up again (2)\n"
	    "      --degrade N         degraded results in a row turn it degraded,\n"
	    "                          N clean ones back up (3)\n"
	    "      --quorum K          site-level events: down while K probes are down\n"
	    "      --stale SECONDS     stale/fresh events for silent targets (off)\n"
	    "      --cert-days LIST    cert_expiring thresholds (30,14,7,1; 0: off)\n"
	    "      --state FILE        keep the state in FILE across restarts\n"
	    "      --save-interval S   save the state this often (default 1)\n"
	    "      --ack-in PATH       write acknowledgements of input lines here\n"
	    "      --ack-out PATH      read acknowledgements of event lines here\n"
	    "      --max-line BYTES    longest line accepted (default 1048576)\n"
	    "  -v, --verbose           a stats line every --stats-interval seconds\n"
	    "      --stats-interval S  (default 10)\n"
	    "  -h, --help              this help\n"
	    "  -V, --version           print the version\n");
	exit(code);
}

static void
onsignal(int sig)
{
	(void)sig;
	stop = 1;
}

static int
parse_threshold(const char *opt, const char *s, int min)
{
	long v;

	if (parse_long(s, min, 1000000, &v) < 0)
		dieusage("%s: expected a number from %d, not '%s'", opt, min, s);
	return (int)v;
}

static void
parse_cert_days(struct fold_conf *c, const char *s)
{
	const char *p = s;
	char *end;
	long v;
	int i, j;

	c->ncert = 0;
	if (strcmp(s, "0") == 0)
		return;
	for (;;) {
		errno = 0;
		v = strtol(p, &end, 10);
		if (end == p || errno || v < 1 || v > 100000 ||
		    c->ncert == FOLD_MAXCERT || (*end != ',' && *end != '\0'))
			dieusage("--cert-days: expected up to %d numbers of days "
			    "like 30,14,7,1, not '%s'", FOLD_MAXCERT, s);
		c->cert_days[c->ncert++] = (int)v;
		if (*end == '\0')
			break;
		p = end + 1;
	}
	for (i = 1; i < c->ncert; i++)		/* descending */
		for (j = i; j > 0 && c->cert_days[j] > c->cert_days[j - 1]; j--) {
			int x = c->cert_days[j];

			c->cert_days[j] = c->cert_days[j - 1];
			c->cert_days[j - 1] = x;
		}
}

static void
parse_options(int argc, char **argv, struct options *o)
{
	enum { O_ACKIN = 256, O_ACKOUT, O_CERT, O_DEGRADE, O_FAIL, O_MAXLINE,
	    O_QUORUM, O_SAVE, O_STALE, O_STATE, O_STATS, O_SUCCESS };
	static const struct option longopts[] = {
		{ "ack-in", required_argument, NULL, O_ACKIN },
		{ "ack-out", required_argument, NULL, O_ACKOUT },
		{ "cert-days", required_argument, NULL, O_CERT },
		{ "degrade", required_argument, NULL, O_DEGRADE },
		{ "fail", required_argument, NULL, O_FAIL },
		{ "help", no_argument, NULL, 'h' },
		{ "max-line", required_argument, NULL, O_MAXLINE },
		{ "quorum", required_argument, NULL, O_QUORUM },
		{ "save-interval", required_argument, NULL, O_SAVE },
		{ "stale", required_argument, NULL, O_STALE },
		{ "state", required_argument, NULL, O_STATE },
		{ "stats-interval", required_argument, NULL, O_STATS },
		{ "success", required_argument, NULL, O_SUCCESS },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	double secs;
	int c;

	memset(o, 0, sizeof(*o));
	o->fc.fail = 3;
	o->fc.success = 2;
	o->fc.degrade = 3;
	parse_cert_days(&o->fc, "30,14,7,1");
	o->maxline = 1024 * 1024;
	o->stats_s = 10;
	o->save_s = 1;
	while ((c = getopt_long(argc, argv, "hVv", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(0);
		case 'V':
			printf("wm-state webmon-%s\n", WEBMON_VERSION);
			exit(0);
		case 'v':
			o->verbose = 1;
			break;
		case O_ACKIN:
			o->ack_in = optarg;
			break;
		case O_ACKOUT:
			o->ack_out = optarg;
			break;
		case O_CERT:
			parse_cert_days(&o->fc, optarg);
			break;
		case O_DEGRADE:
			o->fc.degrade = parse_threshold("--degrade", optarg, 1);
			break;
		case O_FAIL:
			o->fc.fail = parse_threshold("--fail", optarg, 1);
			break;
		case O_MAXLINE:
			if (parse_long(optarg, 2, 1024L * 1024 * 1024, &o->maxline) < 0)
				dieusage("--max-line: expected a number of bytes, not '%s'", optarg);
			break;
		case O_QUORUM:
			o->fc.quorum = parse_threshold("--quorum", optarg, 1);
			break;
		case O_SAVE:
			if (parse_seconds(optarg, &o->save_s) < 0)
				dieusage("--save-interval: expected seconds, not '%s'", optarg);
			break;
		case O_STALE:
			if (parse_seconds(optarg, &secs) < 0 || secs <= 0)
				dieusage("--stale: expected seconds, not '%s'", optarg);
			o->fc.stale_us = (int64_t)(secs * 1e6);
			break;
		case O_STATE:
			o->state = optarg;
			break;
		case O_STATS:
			if (parse_seconds(optarg, &o->stats_s) < 0 || o->stats_s <= 0)
				dieusage("--stats-interval: expected seconds, not '%s'", optarg);
			break;
		case O_SUCCESS:
			o->fc.success = parse_threshold("--success", optarg, 1);
			break;
		default:
			dieusage("unknown option");
		}
	}
	if (optind < argc)
		dieusage("unexpected argument '%s'", argv[optind]);
	if (o->ack_in && o->ack_out == NULL)
		dieusage("--ack-in needs --ack-out: a result is acknowledged only "
		    "once its events are");
	if ((o->ack_in || o->ack_out) && o->state == NULL)
		dieusage("--ack-in and --ack-out need --state FILE, where the "
		    "state and the unacknowledged events are saved");
}

struct run {
	const struct options *o;
	struct fold f;
	struct chain ch;
	struct lines in;
	struct buf out;
	struct progress prog;
	uint64_t bad;
	double next_stats, next_save, start;
};

static void
stats(struct run *r, int final)
{
	double secs = (mono_ms() - r->start) / 1000;

	progress_clear(&r->prog);
	warnmsg("%s%" PRIu64 " results (%.0f/s), %zu targets, %" PRIu64
	    " events, %" PRIu64 " bad, %" PRIu64 " replayed, %" PRIu64 " late",
	    final ? "done: " : "", r->f.results,
	    secs > 0 ? (double)r->f.results / secs : 0.0, r->f.ntargets,
	    r->f.events, r->bad, r->f.dups, r->f.late);
	r->next_stats = mono_ms() + r->o->stats_s * 1000;
}

/* Write the events folded so far; returns -1 when the reader went away. */
static int
flush_out(struct run *r)
{
	if (chain_flush(&r->ch) < 0) {
		if (errno == EPIPE)
			return -1;
		die("write <stdout>:");
	}
	return 0;
}

static void
handle_line(struct run *r, int rc, const char *line, size_t len)
{
	const char *why;
	size_t before = r->out.len;
	int n;

	if (rc == LINES_TOOLONG) {
		warnmsg("<stdin>:%lu: line longer than %ld bytes", r->in.lineno,
		    r->o->maxline);
		r->bad++;
		chain_input(&r->ch, r->in.lineno, 0, NULL, 0);
		return;
	}
	if (len == 0) {
		chain_input(&r->ch, r->in.lineno, 0, NULL, 0);
		return;
	}
	n = fold_line(&r->f, line, len, &why);
	if (n == -1) {
		if (r->in.partial) {
			/* A writer killed mid-line: not folded, not acknowledged. */
			warnmsg("<stdin>:%lu: input ended inside a line (%s)",
			    r->in.lineno, why);
			return;
		}
		progress_clear(&r->prog);
		warnmsg("<stdin>:%lu: %s", r->in.lineno, why);
		r->bad++;
	}
	chain_input(&r->ch, r->in.lineno, n > 0 ? (unsigned)n : 0,
	    r->out.data + before, r->out.len - before);
}

int
main(int argc, char **argv)
{
	struct options o;
	struct run r;
	char *line, err[512];
	size_t len;
	int rc, gone = 0;

	setprogname(argv[0]);
	parse_options(argc, argv, &o);
	ignore_sigpipe();
	catch_stop_signals(onsignal);

	memset(&r, 0, sizeof r);
	r.o = &o;
	fold_init(&r.f, &o.fc, &r.out);
	progress_init(&r.prog);
	lines_init(&r.in, STDIN_FILENO, "<stdin>", (size_t)o.maxline);
	r.start = mono_ms();
	r.next_stats = r.start + o.stats_s * 1000;
	if (chain_open(&r.ch, o.state, o.ack_in, o.ack_out, o.save_s, &r.f,
	    &r.out, &r.in, err, sizeof err) < 0)
		die("%s", err);
	if (flush_out(&r) < 0)
		gone = 1;

	while (!stop && !gone) {
		if (!lines_buffered(&r.in)) {
			/* About to wait for input: everything folded goes out. */
			if ((rc = chain_idle(&r.ch, &stop, err, sizeof err)) == -2) {
				gone = 1;
				break;
			}
			if (rc < 0)
				die("%s", err);
			if (stop)
				break;
		}
		rc = lines_next(&r.in, &line, &len);
		if (rc == LINES_EOF)
			break;
		if (rc == LINES_ERR) {
			if (errno == EINTR)
				continue;
			die("read <stdin>:");
		}
		handle_line(&r, rc, line, len);
		if (r.out.len >= OUT_FLUSH && flush_out(&r) < 0)
			gone = 1;
		if ((r.in.lineno & 1023) == 0) {
			double now = mono_ms();

			if (o.verbose && now >= r.next_stats)
				stats(&r, 0);
			else
				progress_update(&r.prog, "%" PRIu64 " results, %"
				    PRIu64 " events", r.f.results, r.f.events);
			if (chain_tick(&r.ch, err, sizeof err) < 0)
				die("%s", err);
		}
	}
	if (!gone && flush_out(&r) < 0)
		gone = 1;
	if (chain_close(&r.ch, gone, &stop, err, sizeof err) < 0)
		die("%s", err);
	if (o.verbose)
		stats(&r, 1);
	progress_clear(&r.prog);
	if (r.f.late > 0)
		warnmsg("%" PRIu64 " results older than the last one of their "
		    "target were skipped", r.f.late);
	fold_free(&r.f);
	lines_free(&r.in);
	buf_free(&r.out);
	return r.bad > 0 ? 3 : 0;
}
