/*
 * wm-notify: events in (wm-state's output), notifications out: a webhook
 * POST or a command per event, or one digest per --group-wait window. Each
 * id delivered is recorded (fsynced) before it is acknowledged and is never
 * delivered again.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ack.h"
#include "buf.h"
#include "lines.h"
#include "state/deliver.h"
#include "state/idset.h"
#include "state/render.h"
#include "state/uuid5.h"
#include "timeutil.h"
#include "util.h"

#define MAXMATCH 32

static volatile sig_atomic_t stop;

/* Namespace of digest ids: the UUIDv5 of the ids of its events. */
static const unsigned char digest_ns[16] = {
	0x3c, 0x1e, 0x0b, 0x52, 0x8e, 0x4f, 0x4d, 0x43, 0x9a, 0x57, 0x21,
	0x0c, 0x6d, 0x2e, 0x1f, 0x88
};

struct options {
	const char *webhook, *webhook_file, *template, *exec, *state, *ack;
	const char *failed;
	const char *match[MAXMATCH];
	int nmatch, verbose;
	double retry_for, timeout, group_wait;
	long maxline;
};

struct group {			/* events waiting for one notification */
	json_t **evs;
	char **ids, **lines;
	size_t n, cap;
	uint64_t first_line;
	double deadline;
};

struct run {
	const struct options *o;
	struct webhook wh;
	json_t *tpl;
	struct idset done, ingroup;
	struct lines in;
	struct group g;
	struct ackw aw;
	int acking, failfd;
	int cut;			/* input ended inside a line */
	uint64_t acked, sent, delivered, skipped, unmatched, failed, bad, retries;
};

_Noreturn static void
usage(int code)
{
	fprintf(code ? stderr : stdout,
	    "usage: wm-notify [-hVv] (--webhook URL | --webhook-file FILE | --exec CMD)\n"
	    "                 [--template FILE] [--state FILE] [--ack PATH]\n"
	    "                 [--failed FILE] [--retry-for S] [--timeout S]\n"
	    "                 [--group-wait S] [--match KEY=GLOB ...]\n"
	    "      --webhook URL       POST each notification here (or the\n"
	    "                          environment variable WM_WEBHOOK_URL)\n"
	    "      --webhook-file FILE first line the URL, then 'Name: value' headers\n"
	    "      --exec CMD          run sh -c CMD, the body on stdin, WM_* variables\n"
	    "      --template FILE     JSON body with {{key}} placeholders\n"
	    "      --state FILE        ids delivered; never delivered again\n"
	    "      --ack PATH          write the count of input lines done\n"
	    "      --failed FILE       events that could not be delivered\n"
	    "      --retry-for S       retry 5xx, timeouts, errors this long (300)\n"
	    "      --timeout S         one attempt at most this long (10)\n"
	    "      --group-wait S      one digest per window of S seconds\n"
	    "      --match KEY=GLOB    only events whose KEY (tags.NAME) matches\n"
	    "  -v, --verbose           a summary line at exit\n"
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

static double
seconds(const char *opt, const char *s)
{
	double v;

	if (parse_seconds(s, &v) < 0)
		dieusage("%s: expected seconds, not '%s'", opt, s);
	return v;
}

static void
parse_options(int argc, char **argv, struct options *o)
{
	enum { O_ACK = 256, O_EXEC, O_FAILED, O_GROUP, O_MATCH, O_MAXLINE,
	    O_RETRY, O_STATE, O_TEMPLATE, O_TIMEOUT, O_WEBHOOK, O_WHFILE };
	static const struct option longopts[] = {
		{ "ack", required_argument, NULL, O_ACK },
		{ "exec", required_argument, NULL, O_EXEC },
		{ "failed", required_argument, NULL, O_FAILED },
		{ "group-wait", required_argument, NULL, O_GROUP },
		{ "help", no_argument, NULL, 'h' },
		{ "match", required_argument, NULL, O_MATCH },
		{ "max-line", required_argument, NULL, O_MAXLINE },
		{ "retry-for", required_argument, NULL, O_RETRY },
		{ "state", required_argument, NULL, O_STATE },
		{ "template", required_argument, NULL, O_TEMPLATE },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "webhook", required_argument, NULL, O_WEBHOOK },
		{ "webhook-file", required_argument, NULL, O_WHFILE },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->retry_for = 300;
	o->timeout = 10;
	o->maxline = 1024 * 1024;
	while ((c = getopt_long(argc, argv, "hVv", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(0);
		case 'V':
			printf("wm-notify webmon-%s\n", WEBMON_VERSION);
			exit(0);
		case 'v':
			o->verbose = 1;
			break;
		case O_ACK: o->ack = optarg; break;
		case O_EXEC: o->exec = optarg; break;
		case O_FAILED: o->failed = optarg; break;
		case O_GROUP: o->group_wait = seconds("--group-wait", optarg); break;
		case O_MATCH:
			if (strchr(optarg, '=') == NULL || *optarg == '=')
				dieusage("--match: expected KEY=GLOB, not '%s'", optarg);
			if (o->nmatch == MAXMATCH)
				dieusage("--match: at most %d", MAXMATCH);
			o->match[o->nmatch++] = optarg;
			break;
		case O_MAXLINE:
			if (parse_long(optarg, 2, 1024L * 1024 * 1024, &o->maxline) < 0)
				dieusage("--max-line: expected a number of bytes, not '%s'", optarg);
			break;
		case O_RETRY: o->retry_for = seconds("--retry-for", optarg); break;
		case O_STATE: o->state = optarg; break;
		case O_TEMPLATE: o->template = optarg; break;
		case O_TIMEOUT:
			o->timeout = seconds("--timeout", optarg);
			if (o->timeout <= 0)
				dieusage("--timeout: expected seconds above 0");
			break;
		case O_WEBHOOK: o->webhook = optarg; break;
		case O_WHFILE: o->webhook_file = optarg; break;
		default:
			dieusage("unknown option");
		}
	}
	if (optind < argc)
		dieusage("unexpected argument '%s'", argv[optind]);
	if (o->webhook == NULL && o->webhook_file == NULL && o->exec == NULL)
		o->webhook = getenv("WM_WEBHOOK_URL");
	if ((o->webhook != NULL) + (o->webhook_file != NULL) + (o->exec != NULL) != 1)
		dieusage("expected one of --webhook, --webhook-file, --exec "
		    "(or WM_WEBHOOK_URL)");
}

/* Acknowledge n input lines; never blocks (lib/ack.h). */
static void
write_ack(struct run *r, uint64_t n)
{
	char err[256];

	if (!r->acking || n <= r->acked)
		return;
	if (ackw_ack(&r->aw, n, err, sizeof err) == ACK_ERR)
		die("--ack: %s", err);
	r->acked = n;
}

/*
 * Keep the acknowledgement FIFO connected; a new reader learns how many
 * input lines came before it, told only when no input is waiting.
 */
static void
ack_service(struct run *r, short revents, int idle)
{
	char err[256];
	size_t n;

	if (!r->acking)
		return;
	if (ackw_service(&r->aw, revents, err, sizeof err) == ACK_ERR)
		die("--ack: %s", err);
	if (!ackw_needbase(&r->aw) || !idle ||
	    (lines_buffered(&r->in) && !r->in.eof))
		return;
	if ((n = lines_drop_partial(&r->in)) > 0)
		warnmsg("<stdin>:%lu: %zu bytes of an unfinished line dropped: "
		    "the writer of the input started anew", r->in.lineno + 1, n);
	if (ackw_start(&r->aw, r->in.lineno, err, sizeof err) == ACK_ERR)
		die("--ack: %s", err);
}

/* Everything read is done unless a group waits: ack up to before it. */
static void
ack_done(struct run *r)
{
	write_ack(r, r->g.n ? r->g.first_line - 1 :
	    r->in.lineno - (unsigned long)r->cut);
}

static void
group_clear(struct group *g)
{
	size_t i;

	for (i = 0; i < g->n; i++) {
		json_decref(g->evs[i]);
		free(g->ids[i]);
		free(g->lines[i]);
	}
	g->n = 0;
}

static void
sleep_ms(double ms)
{
	struct timespec ts = { (time_t)(ms / 1000),
	    (long)((ms - 1000 * (double)(time_t)(ms / 1000)) * 1e6) };

	nanosleep(&ts, NULL);	/* a signal cuts it short */
}

/* Deliver the group as one notification, with retries; record or set aside. */
static void
send_group(struct run *r)
{
	struct group *g = &r->g;
	struct buf b = BUF_INIT;
	char id[UUID_STRLEN], why[256], err[512];
	double start = mono_ms(), backoff = 500;
	json_t *vars;
	char *body;
	size_t i;
	int rc;

	if (g->n == 1)
		snprintf(id, sizeof id, "%s", g->ids[0]);
	else {
		for (i = 0; i < g->n; i++)
			buf_printf(&b, "%s\n", g->ids[i]);
		uuid5_make(id, digest_ns, b.data, b.len);
		buf_reset(&b);
	}
	vars = render_vars(g->evs, g->n, id);
	body = render_body(r->tpl, vars);
	for (;;) {
		r->sent++;
		if (r->o->exec)
			rc = exec_run(r->o->exec, body, vars,
			    (long)(r->o->timeout * 1000), why, sizeof why);
		else
			rc = webhook_post(&r->wh, id, body, why, sizeof why);
		if (rc != DELIV_RETRY ||
		    mono_ms() + backoff > start + r->o->retry_for * 1000)
			break;
		warnmsg("event %s: %s; retrying in %.1f s", id, why, backoff / 1000);
		r->retries++;
		sleep_ms(backoff);
		if (stop) {
			/* Not recorded, not acknowledged: sent again after a restart. */
			warnmsg("interrupted: %zu events not delivered", g->n);
			exit(1);
		}
		backoff = backoff * 2 > 30000 ? 30000 : backoff * 2;
	}
	if (rc == DELIV_OK) {
		if (idset_record(&r->done, g->ids, g->n, err, sizeof err) < 0)
			die("%s", err);
		r->delivered += g->n;
	} else {
		warnmsg("event %s: %s; %zu events set aside%s%s", id, why, g->n,
		    r->o->failed ? " in " : "", r->o->failed ? r->o->failed : "");
		for (i = 0; i < g->n; i++)
			buf_printf(&b, "%s\n", g->lines[i]);
		if (buf_write_fd(&b, r->failfd) < 0 ||
		    (r->o->failed && fdatasync(r->failfd) < 0))
			die("write '%s':", r->o->failed ? r->o->failed : "<stderr>");
		r->failed += g->n;
	}
	buf_free(&b);
	free(body);
	json_decref(vars);
	idset_clear(&r->ingroup);
	group_clear(g);
	ack_done(r);
}

static void
handle_line(struct run *r, const char *line, size_t len)
{
	struct group *g = &r->g;
	json_error_t je;
	json_t *ev;
	const char *id;

	if (len == 0)
		return;
	ev = json_loadb(line, len, 0, &je);
	if (ev == NULL || !json_is_object(ev) ||
	    (id = json_string_value(json_object_get(ev, "id"))) == NULL) {
		warnmsg("<stdin>:%lu: %s", r->in.lineno,
		    ev ? "not an event (no string \"id\")" : je.text);
		json_decref(ev);
		r->bad++;
		return;
	}
	if (!render_match(ev, r->o->match, r->o->nmatch)) {
		r->unmatched++;
		json_decref(ev);
		return;
	}
	if (idset_has(&r->done, id) || !idset_add(&r->ingroup, id)) {
		r->skipped++;	/* delivered before: never again */
		json_decref(ev);
		return;
	}
	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 64;
		g->evs = xreallocarray(g->evs, g->cap, sizeof *g->evs);
		g->ids = xreallocarray(g->ids, g->cap, sizeof *g->ids);
		g->lines = xreallocarray(g->lines, g->cap, sizeof *g->lines);
	}
	if (g->n == 0) {
		g->first_line = r->in.lineno;
		g->deadline = mono_ms() + r->o->group_wait * 1000;
	}
	g->evs[g->n] = ev;
	g->ids[g->n] = xstrdup(id);
	g->lines[g->n++] = xstrndup(line, len);
	if (r->o->group_wait <= 0)
		send_group(r);
}

static void
setup(struct run *r, const struct options *o)
{
	struct curl_slist *headers = NULL;
	json_error_t je;
	char err[512], *url = NULL;

	memset(r, 0, sizeof *r);
	r->o = o;
	r->failfd = 2;
	if (o->template && (r->tpl = json_load_file(o->template, 0, &je)) == NULL)
		die("'%s': line %d: %s", o->template, je.line, je.text);
	if (o->webhook_file && webhook_load(o->webhook_file, &url, &headers,
	    err, sizeof err) < 0)
		die("%s", err);
	if (!o->exec && webhook_init(&r->wh, url ? url : o->webhook, headers,
	    (long)(o->timeout * 1000), err, sizeof err) < 0)
		die("%s", err);
	free(url);
	idset_init(&r->done);
	idset_init(&r->ingroup);
	if (o->state && idset_open(&r->done, o->state, err, sizeof err) < 0)
		die("%s", err);
	if (o->failed && (r->failfd = open(o->failed, O_WRONLY | O_CREAT |
	    O_APPEND | O_CLOEXEC, 0666)) < 0)
		die("open '%s':", o->failed);
	if (o->ack) {
		if (ackw_init(&r->aw, o->ack, STDIN_FILENO, err, sizeof err) < 0)
			die("--ack: %s", err);
		r->acking = 1;
	}
	lines_init(&r->in, STDIN_FILENO, "<stdin>", (size_t)o->maxline);
}

int
main(int argc, char **argv)
{
	struct options o;
	struct run r;
	char *line;
	size_t len;
	int rc, wait;

	setprogname(argv[0]);
	parse_options(argc, argv, &o);
	ignore_sigpipe();
	catch_stop_signals(onsignal);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	setup(&r, &o);

	while (!stop) {
		if (!lines_buffered(&r.in)) {
			struct pollfd pfd[2];
			int ackwait;

			memset(pfd, 0, sizeof pfd);
			wait = -1;
			if (r.g.n > 0) {
				double left = r.g.deadline - mono_ms();

				wait = left > 0 ? (int)left + 1 : 0;
			}
			pfd[0].fd = STDIN_FILENO;
			pfd[0].events = POLLIN;
			ackwait = r.acking ? ackw_pollfd(&r.aw, &pfd[1]) : -1;
			if (!r.acking)
				pfd[1].fd = -1;
			if (ackwait >= 0 && (wait < 0 || ackwait < wait))
				wait = ackwait;
			rc = poll(pfd, 2, wait);
			if (rc < 0 && errno != EINTR)
				die("poll:");
			ack_service(&r, rc > 0 ? pfd[1].revents : 0, rc >= 0 &&
			    !(pfd[0].revents & (POLLIN | POLLHUP | POLLERR)));
			if (r.g.n > 0 && mono_ms() >= r.g.deadline)
				send_group(&r);
			if (rc <= 0 || !(pfd[0].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			/* Never block inside an unfinished line (lines_next would). */
			if (lines_fill(&r.in) < 0)
				die("read <stdin>:");
			continue;
		}
		rc = lines_next(&r.in, &line, &len);
		if (rc == LINES_EOF)
			break;
		if (rc == LINES_ERR) {
			if (errno == EINTR)
				continue;
			die("read <stdin>:");
		}
		if (rc == LINES_TOOLONG) {
			warnmsg("<stdin>:%lu: line longer than %ld bytes",
			    r.in.lineno, o.maxline);
			r.bad++;
		} else if (r.in.partial && (json_loadb(line, len, 0, NULL) == NULL)) {
			warnmsg("<stdin>:%lu: input ended inside a line; "
			    "not delivered, not acknowledged", r.in.lineno);
			r.cut = 1;
		} else
			handle_line(&r, line, len);
		if (r.g.n > 0 && mono_ms() >= r.g.deadline)
			send_group(&r);
		ack_done(&r);
	}
	if (r.g.n > 0)
		send_group(&r);
	ack_done(&r);
	if (o.verbose)
		warnmsg("done: %" PRIu64 " events delivered in %" PRIu64
		    " notifications, %" PRIu64 " already delivered, %" PRIu64
		    " not matched, %" PRIu64 " failed, %" PRIu64 " bad, %"
		    PRIu64 " retries", r.delivered, r.sent - r.retries,
		    r.skipped, r.unmatched, r.failed, r.bad, r.retries);
	if (r.acking) {
		/* The reader is draining too: give the last ack a moment. */
		ack_service(&r, 0, 1);
		ackw_drain(&r.aw, 2000);
		ackw_close(&r.aw);
	}
	json_decref(r.tpl);
	idset_free(&r.done);
	idset_free(&r.ingroup);
	free(r.g.evs), free(r.g.ids), free(r.g.lines);
	lines_free(&r.in);
	if (!o.exec)
		webhook_free(&r.wh);
	curl_global_cleanup();
	return r.failed > 0 ? 1 : r.bad > 0 ? 3 : 0;
}
