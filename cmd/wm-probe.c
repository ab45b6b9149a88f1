/*
 * wm-probe: probe websites and write one NDJSON result line per probe.
 * Sites come from files, stdin or the command line (see webmon(7)).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "probe/probe.h"
#include "progress.h"
#include "probe/shard.h"
#include "probe/sites.h"
#include "timeutil.h"
#include "util.h"
#include "probe/watch.h"

struct options {
	long concurrency;		/* -c */
	struct site_defaults def;	/* -t */
	const char *probe_name;		/* -i */
	const char *cacert;		/* --cacert */
	int insecure;			/* -k */
	int allow_private;		/* --allow-private-redirects */
	long ipresolve;			/* -4, -6 */
	size_t max_body;		/* --max-body */
	unsigned long shard_k, shard_n;	/* --shard; n == 0: every site */
	int fail;			/* --fail */
	int verbose;			/* -v */
	int watch;			/* --watch */
	double stats_s;			/* --stats-interval */
	char **urls;			/* -u and URL arguments, in order */
	size_t nurls;
	char **files;			/* sites files; none: stdin */
	size_t nfiles;
};

/* Progress and totals of one run. */
struct run {
	struct progress prog;
	size_t total, started, done, failed, aborted;
	double t0;
	int epipe;
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	stop = sig;
}

static void
usage(FILE *f)
{
	fprintf(f,
"usage: wm-probe [-46hkVv] [-c concurrency] [-i name] [-t timeout]\n"
"                [-u url] [--allow-private-redirects] [--cacert file]\n"
"                [--fail] [--max-body bytes]\n"
"                [--shard K/N] [file | url ...]\n"
"       wm-probe --watch [--interval secs] [--stats-interval secs]\n"
"                [options] file ...\n"
"  -c, --concurrency N  probes in flight at once (default 50)\n"
"  -t, --timeout SECS   default per-site timeout (default 10)\n"
"  -i, --probe NAME     probe identity in results (default the host name)\n"
"  -u, --url URL        probe URL (repeatable); so does an argument that\n"
"                       starts with http:// or https:// and is not a file\n"
"      --cacert FILE    verify TLS peers against the CAs in FILE\n"
"  -k, --insecure       do not verify TLS certificates\n"
"      --allow-private-redirects  let a public site redirect to a\n"
"                       loopback, private or link-local address\n"
"  -4, -6               use only IPv4 / IPv6\n"
"      --max-body BYTES largest body accepted (default 4M; k, M suffixes)\n"
"      --shard K/N      probe only shard K (1..N) of N, by url hash\n"
"      --fail           exit 1 if any probe was not ok\n"
"  -v, --verbose        print a summary line on stderr at the end\n"
"      --watch          probe each site every interval until SIGTERM;\n"
"                       SIGHUP re-reads the files\n"
"      --interval SECS  default per-site interval (default 60)\n"
"      --stats-interval SECS  seconds between -v stats lines (default 60)\n"
"  -h, --help           show this help\n"
"  -V, --version        show the version\n");
}

static int
parse_size(const char *s, size_t *out)
{
	char num[32];
	size_t n = strlen(s), mult = 1;
	long v;

	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, s, n + 1);
	switch (num[n - 1]) {
	case 'k': case 'K': mult = 1024; num[--n] = '\0'; break;
	case 'm': case 'M': mult = 1024 * 1024; num[--n] = '\0'; break;
	case 'g': case 'G': mult = 1024 * 1024 * 1024; num[--n] = '\0'; break;
	}
	if (parse_long(num, 1, 1L << 40, &v) < 0 || (size_t)v > SIZE_MAX / mult)
		return -1;
	*out = (size_t)v * mult;
	return 0;
}

/* An argument is a URL when it looks like one and is no existing file. */
static int
is_url_arg(const char *a)
{
	struct stat st;

	return (strncasecmp(a, "http://", 7) == 0 ||
	    strncasecmp(a, "https://", 8) == 0) && stat(a, &st) < 0;
}

static void
parse_options(int argc, char **argv, struct options *o)
{
	enum { OPT_ALLOWPRIV = 256, OPT_CACERT, OPT_MAXBODY, OPT_SHARD, OPT_FAIL,
	    OPT_WATCH, OPT_INTERVAL, OPT_STATS };
	static const struct option longopts[] = {
		{ "allow-private-redirects", no_argument, NULL, OPT_ALLOWPRIV },
		{ "cacert", required_argument, NULL, OPT_CACERT },
		{ "concurrency", required_argument, NULL, 'c' },
		{ "fail", no_argument, NULL, OPT_FAIL },
		{ "help", no_argument, NULL, 'h' },
		{ "insecure", no_argument, NULL, 'k' },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "max-body", required_argument, NULL, OPT_MAXBODY },
		{ "probe", required_argument, NULL, 'i' },
		{ "shard", required_argument, NULL, OPT_SHARD },
		{ "stats-interval", required_argument, NULL, OPT_STATS },
		{ "timeout", required_argument, NULL, 't' },
		{ "url", required_argument, NULL, 'u' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "watch", no_argument, NULL, OPT_WATCH },
		{ NULL, 0, NULL, 0 }
	};
	char err[256];
	int c, i;

	while ((c = getopt_long(argc, argv, "46c:hi:kt:u:Vv", longopts,
	    NULL)) != -1) {
		switch (c) {
		case '4':
			o->ipresolve = CURL_IPRESOLVE_V4;
			break;
		case '6':
			o->ipresolve = CURL_IPRESOLVE_V6;
			break;
		case 'c':
			if (parse_long(optarg, 1, 100000, &o->concurrency) < 0)
				dieusage("bad concurrency '%s': want 1 to 100000",
				    optarg);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'i':
			o->probe_name = optarg;
			break;
		case 'k':
			o->insecure = 1;
			break;
		case 't':
			if (parse_seconds(optarg, &o->def.timeout_s) < 0 ||
			    o->def.timeout_s <= 0)
				dieusage("bad timeout '%s': want positive seconds",
				    optarg);
			break;
		case 'u':
			o->urls = xreallocarray(o->urls, o->nurls + 1,
			    sizeof(*o->urls));
			o->urls[o->nurls++] = optarg;
			break;
		case 'V':
			printf("wm-probe webmon-%s\n", WEBMON_VERSION);
			exit(0);
		case 'v':
			o->verbose = 1;
			break;
		case OPT_ALLOWPRIV:
			o->allow_private = 1;
			break;
		case OPT_CACERT:
			o->cacert = optarg;
			break;
		case OPT_MAXBODY:
			if (parse_size(optarg, &o->max_body) < 0)
				dieusage("bad max-body '%s': want bytes, e.g. "
				    "65536 or 4M", optarg);
			break;
		case OPT_SHARD:
			if (shard_parse(optarg, &o->shard_k, &o->shard_n, err,
			    sizeof(err)) < 0)
				dieusage("%s", err);
			break;
		case OPT_FAIL:
			o->fail = 1;
			break;
		case OPT_WATCH:
			o->watch = 1;
			break;
		case OPT_INTERVAL:
			if (parse_seconds(optarg, &o->def.interval_s) < 0 ||
			    o->def.interval_s < 0.001)
				dieusage("bad --interval '%s': want seconds, at "
				    "least 0.001", optarg);
			break;
		case OPT_STATS:
			if (parse_seconds(optarg, &o->stats_s) < 0 ||
			    o->stats_s < 0.001)
				dieusage("bad --stats-interval '%s': want seconds, "
				    "at least 0.001", optarg);
			break;
		default:
			dieusage("unknown option");
		}
	}
	for (i = optind; i < argc; i++) {
		if (is_url_arg(argv[i])) {
			o->urls = xreallocarray(o->urls, o->nurls + 1,
			    sizeof(*o->urls));
			o->urls[o->nurls++] = argv[i];
		} else {
			o->files = xreallocarray(o->files, o->nfiles + 1,
			    sizeof(*o->files));
			o->files[o->nfiles++] = argv[i];
		}
	}
}

static void
on_bad(const char *file, unsigned long lineno, const char *why, void *arg)
{
	warnmsg("%s:%lu: %s", file, lineno, why);
}

/* Sites from files (or stdin) and URLs, with the shard applied. */
static void
load_sites(const struct options *o, struct site **sites, size_t *n,
    size_t *nbad)
{
	char err[512];
	struct site s;
	size_t i, j;

	for (i = 0; i < o->nurls; i++) {
		if (site_parse_line(o->urls[i], strlen(o->urls[i]), &o->def, &s,
		    err, sizeof(err)) != 1)
			dieusage("%s", err);
		s.file = "<command line>";
		s.lineno = i + 1;
		*sites = xreallocarray(*sites, *n + 1, sizeof(**sites));
		(*sites)[(*n)++] = s;
	}
	for (i = 0; i < o->nfiles; i++)
		if (sites_load(o->files[i], &o->def, sites, n, nbad, on_bad,
		    NULL, err, sizeof(err)) < 0)
			die("%s", err);
	if (o->nfiles == 0 && o->nurls == 0 &&
	    sites_load("-", &o->def, sites, n, nbad, on_bad, NULL, err,
	    sizeof(err)) < 0)
		die("%s", err);
	if (o->shard_n == 0)
		return;
	for (i = j = 0; i < *n; i++) {
		if (shard_mine((*sites)[i].urlhash, o->shard_k, o->shard_n))
			(*sites)[j++] = (*sites)[i];
		else
			site_free(&(*sites)[i]);
	}
	*n = j;
}

static void
on_note(const char *msg, void *arg)
{
	warnmsg("%s", msg);
}

static volatile sig_atomic_t watch_hup, watch_stop;

/* --watch: SIGHUP asks for a reload; SIGTERM/SIGINT drain, a second abandons. */
static void
on_watch_signal(int sig)
{
	if (sig == SIGHUP)
		watch_hup = 1;
	else if (watch_stop < 2)
		watch_stop++;
}

/* --watch: probe every site at its interval until SIGTERM or SIGINT. */
static int
watch_main(struct options *o, const struct probe_opts *po)
{
	struct watch_opts wo;
	struct sigaction sa;
	struct prober *p;
	char *std_in = (char *)"-", err[512];
	int rc;

	if (o->nurls > 0)
		dieusage("--watch reads sites files, not URLs");
	/* Before loading, so that a signal during a long load is not lost. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_watch_signal;	/* no SA_RESTART: ends the wait */
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGHUP);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (stop)
		watch_stop = 1;	/* arrived before this handler */
	memset(&wo, 0, sizeof(wo));
	wo.files = o->nfiles ? o->files : &std_in;
	wo.nfiles = o->nfiles ? o->nfiles : 1;
	wo.def = &o->def;
	wo.concurrency = (size_t)o->concurrency;
	wo.shard_k = o->shard_k;
	wo.shard_n = o->shard_n;
	wo.stats_s = o->stats_s;
	wo.verbose = o->verbose;
	wo.outfd = STDOUT_FILENO;
	wo.note = on_note;
	wo.hup = &watch_hup;
	wo.stop = &watch_stop;
	if ((p = prober_new(po, err, sizeof(err))) == NULL)
		die("%s", err);
	rc = watch_run(&wo, p, err, sizeof(err));
	prober_free(p);
	free(o->urls);
	free(o->files);
	if (rc == WATCH_ERROR)
		die("%s", err);
	return rc;
}

static void
on_done(void *udata, const char *line, size_t len, int ok, void *arg)
{
	struct run *r = arg;

	r->done++;
	if (!ok)
		r->failed++;
	if (r->epipe)
		return;
	if (write_all(STDOUT_FILENO, line, len) < 0) {
		if (errno != EPIPE)
			die("write <stdout>:");
		r->epipe = 1;
	}
}

static void
on_aborted(void *udata, void *arg)
{
	((struct run *)arg)->aborted++;
}

static void
show_progress(struct run *r)
{
	double s = (mono_ms() - r->t0) / 1000.0;

	progress_update(&r->prog, "%zu/%zu probed, %.0f/s, %zu failed",
	    r->done, r->total, s > 0 ? (double)r->done / s : 0.0, r->failed);
}

/* Probe every site once; returns 1 if interrupted, else 0. */
static int
probe_all(const struct options *o, struct prober *p, struct site *sites,
    size_t n, struct run *r)
{
	char err[512];
	double deadline;

	while (!stop && !r->epipe) {
		while (r->started < n && prober_inflight(p) <
		    (size_t)o->concurrency && !stop) {
			if (prober_start(p, &sites[r->started], NULL, err,
			    sizeof(err)) < 0)
				die("%s", err);
			r->started++;
		}
		if (prober_inflight(p) == 0)
			break;
		if (prober_run(p, 250, on_done, r, err, sizeof(err)) < 0)
			die("%s", err);
		show_progress(r);
	}
	if (stop && !r->epipe) {
		/* Give the probes in flight one second, then drop them. */
		deadline = mono_ms() + 1000;
		stop = 0;
		while (prober_inflight(p) > 0 && !stop && !r->epipe &&
		    mono_ms() < deadline)
			if (prober_run(p, 100, on_done, r, err, sizeof(err)) < 0)
				die("%s", err);
		stop = 1;
	}
	prober_abort_all(p, on_aborted, r);
	return r->started < n || r->aborted > 0 ? !r->epipe : 0;
}

int
main(int argc, char **argv)
{
	struct options o;
	struct probe_opts po;
	struct prober *p;
	struct site *sites = NULL;
	struct run r;
	char host[256], err[512];
	size_t n = 0, nbad = 0;
	int interrupted;

	setprogname(argv[0]);
	memset(&o, 0, sizeof(o));
	o.concurrency = 50;
	o.def.timeout_s = 10;
	o.def.interval_s = 60;
	o.ipresolve = CURL_IPRESOLVE_WHATEVER;
	o.max_body = 4 << 20;
	o.stats_s = 60;
	parse_options(argc, argv, &o);
	if (o.probe_name == NULL) {
		if (gethostname(host, sizeof(host)) < 0)
			snprintf(host, sizeof(host), "unknown");
		host[sizeof(host) - 1] = '\0';
		o.probe_name = host;
	}

	ignore_sigpipe();
	catch_stop_signals(on_signal);	/* a signal ends the engine's wait */

	memset(&po, 0, sizeof(po));
	po.concurrency = o.concurrency;
	po.cacert = o.cacert;
	po.insecure = o.insecure;
	po.allow_private_redirects = o.allow_private;
	po.ipresolve = o.ipresolve;
	po.max_body = o.max_body;
	po.probe_name = o.probe_name;
	if (o.watch)
		return watch_main(&o, &po);

	load_sites(&o, &sites, &n, &nbad);
	if ((p = prober_new(&po, err, sizeof(err))) == NULL)
		die("%s", err);

	memset(&r, 0, sizeof(r));
	progress_init(&r.prog);
	r.total = n;
	r.t0 = mono_ms();
	interrupted = probe_all(&o, p, sites, n, &r);
	progress_clear(&r.prog);
	prober_free(p);
	if (o.verbose)
		warnmsg("%zu sites, %zu probed, %zu ok, %zu failed, %zu bad "
		    "lines, %zu not probed, %.3f s", n, r.done,
		    r.done - r.failed, r.failed, nbad, n - r.done,
		    (mono_ms() - r.t0) / 1000.0);
	sites_free(sites, n);
	free(o.urls);
	free(o.files);
	if (r.epipe)
		return 0;
	if (interrupted || (o.fail && r.failed > 0))
		return 1;
	return nbad > 0 ? 3 : 0;
}
