/*
 * wm-pg-copy: NDJSON on stdin into a PostgreSQL table with COPY, in batches
 * of one transaction each, bad lines set aside, and an acknowledgement of
 * the lines made durable for the stage upstream.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "pg/copyrow.h"
#include "jsonw.h"
#include "lines.h"
#include "pg/pgcopy.h"
#include "progress.h"
#include "timeutil.h"
#include "util.h"

#define BATCH_BYTES (16 * 1024 * 1024)	/* flush early past this much buffered */
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 10000

static volatile sig_atomic_t stop;

struct options {
	struct pgconnopts conn;
	const char *table, *key, *columns, *reject, *ack;
	long rows, timeout_ms, maxline;
	double stats_s;
	int strict, verbose;
};

struct state {
	const struct options *o;
	struct pgsink sink;
	struct copyrow cr;
	struct lines in;
	struct pgbatch batch;
	struct buf row, rej, tmp;
	struct progress prog;
	int rejfd, rejsync, ackfd;
	int cut;			/* input ended inside a broken last line */
	size_t pending;			/* input lines since the last ack */
	double batch_start;		/* monotonic ms of the first of them */
	unsigned long long rejected, retries;
	unsigned long long last_stored;	/* for the rate in stats lines */
	double last_stats, next_stats;
};

_Noreturn static void
usage(int code)
{
	fprintf(code ? stderr : stdout,
	    "usage: wm-pg-copy [-hVv] [-d conninfo] [-n rows] [-T ms] -t table\n"
	    "                  [--ack path] [--columns a,b,...] [--key col[,col...]]\n"
	    "                  [--max-line bytes] [--reject file] [--stats-interval s]\n"
	    "                  [--strict]\n"
	    "  -t, --table TABLE       target table, [schema.]table in SQL syntax\n"
	    "  -d, --dbname CONNINFO   connection string or URI (default: PG* variables)\n"
	    "  -n, --rows N            rows per batch (default 1000)\n"
	    "  -T, --timeout MS        flush a batch this long after its first line\n"
	    "                          (default 1000)\n"
	    "      --key COLS          skip rows whose key already exists (needs a\n"
	    "                          unique index on exactly these columns)\n"
	    "      --columns COLS      write only these columns\n"
	    "      --strict            reject lines with keys that are not columns\n"
	    "      --reject FILE       rejected lines as NDJSON (default stderr)\n"
	    "      --ack PATH          write the count of durable input lines after\n"
	    "                          each batch (FIFO or file)\n"
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

static void
parse_options(int argc, char **argv, struct options *o)
{
	enum { O_ACK = 256, O_COLUMNS, O_KEY, O_MAXLINE, O_REJECT, O_STATS, O_STRICT };
	static const struct option longopts[] = {
		{ "ack", required_argument, NULL, O_ACK },
		{ "columns", required_argument, NULL, O_COLUMNS },
		{ "dbname", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "key", required_argument, NULL, O_KEY },
		{ "max-line", required_argument, NULL, O_MAXLINE },
		{ "reject", required_argument, NULL, O_REJECT },
		{ "rows", required_argument, NULL, 'n' },
		{ "stats-interval", required_argument, NULL, O_STATS },
		{ "strict", no_argument, NULL, O_STRICT },
		{ "table", required_argument, NULL, 't' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->rows = 1000;
	o->timeout_ms = 1000;
	o->maxline = 1024 * 1024;
	o->stats_s = 10;
	while ((c = getopt_long(argc, argv, "d:hn:T:t:Vv", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->conn.dbname = optarg;
			break;
		case 'h':
			usage(0);
		case 'n':
			if (parse_long(optarg, 1, 10000000, &o->rows) < 0)
				dieusage("-n: expected a number of rows from 1, not '%s'", optarg);
			break;
		case 'T':
			if (parse_long(optarg, 0, 86400000, &o->timeout_ms) < 0)
				dieusage("-T: expected milliseconds, not '%s'", optarg);
			break;
		case 't':
			o->table = optarg;
			break;
		case 'V':
			printf("wm-pg-copy webmon-%s\n", WEBMON_VERSION);
			exit(0);
		case 'v':
			o->verbose = 1;
			break;
		case O_ACK:
			o->ack = optarg;
			break;
		case O_COLUMNS:
			o->columns = optarg;
			break;
		case O_KEY:
			o->key = optarg;
			break;
		case O_MAXLINE:
			if (parse_long(optarg, 2, 1024L * 1024 * 1024, &o->maxline) < 0)
				dieusage("--max-line: expected a number of bytes, not '%s'", optarg);
			break;
		case O_REJECT:
			o->reject = optarg;
			break;
		case O_STATS:
			if (parse_seconds(optarg, &o->stats_s) < 0 || o->stats_s <= 0)
				dieusage("--stats-interval: expected seconds, not '%s'", optarg);
			break;
		case O_STRICT:
			o->strict = 1;
			break;
		default:
			dieusage("unknown option");
		}
	}
	if (optind < argc)
		dieusage("unexpected argument '%s'", argv[optind]);
	if (o->table == NULL || *o->table == '\0')
		dieusage("-t TABLE is required");
	if (o->columns && (*o->columns == '\0' || strstr(o->columns, ",,")))
		dieusage("--columns: expected a comma-separated list, not '%s'", o->columns);
	if (o->key && (*o->key == '\0' || strstr(o->key, ",,")))
		dieusage("--key: expected a comma-separated list, not '%s'", o->key);
}

/* Queue one reject record; written out before the next acknowledgement. */
static void
reject(struct state *st, unsigned long lineno, const char *why,
    const char *line, size_t len)
{
	struct jsonw w;

	jsonw_init(&w, &st->rej);
	jsonw_obj_begin(&w);
	jsonw_key(&w, "line");
	jsonw_int(&w, (int64_t)lineno);
	jsonw_key(&w, "error");
	jsonw_str(&w, why);
	jsonw_key(&w, "input");
	jsonw_strn(&w, line, len);
	jsonw_obj_end(&w);
	buf_putc(&st->rej, '\n');
	st->rejected++;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);	/* a signal cuts it short: the caller checks stop */
}

static void
stats(struct state *st, int final)
{
	double now = mono_ms(), secs = (now - st->last_stats) / 1000;
	unsigned long long n = st->sink.stored - st->last_stored;

	progress_clear(&st->prog);
	warnmsg("%s%llu rows stored (%.0f rows/s), %llu batches, %llu rejected, "
	    "%llu duplicates skipped, %llu retries", final ? "done: " : "",
	    st->sink.stored, secs > 0 ? (double)n / secs : 0.0, st->sink.batches,
	    st->rejected, st->sink.duplicates, st->retries);
	st->last_stats = now;
	st->last_stored = st->sink.stored;
	st->next_stats = now + st->o->stats_s * 1000;
}

static void
write_ack(struct state *st)
{
	char line[32];
	int n;

	if (st->ackfd < 0)
		return;
	n = snprintf(line, sizeof(line), "%lu\n", st->in.lineno - (unsigned long)st->cut);
	if (write_all(st->ackfd, line, (size_t)n) < 0) {
		if (errno != EPIPE)
			die("write '%s':", st->o->ack);
		warnmsg("'%s': the acknowledgement reader went away; no more acks",
		    st->o->ack);
		close(st->ackfd);
		st->ackfd = -1;
	}
}

/* Store the batch (retrying temporary failures), then reject records, then the ack. */
static void
flush(struct state *st)
{
	char err[512];
	long delay = BACKOFF_MIN_MS;
	size_t i;
	int r;

	while ((r = pgsink_flush(&st->sink, &st->batch, err, sizeof(err))) != PGS_OK) {
		progress_clear(&st->prog);
		if (r == PGS_PERM)
			die("%s: %s (input lines up to %lu not stored)",
			    st->sink.tab.name, err, st->in.lineno);
		st->retries++;
		warnmsg("%s: %s; retrying in %ld ms", st->sink.tab.name, err, delay);
		sleep_ms(delay);
		if (stop)
			die("interrupted while retrying: %zu rows not stored", st->batch.n);
		delay = delay * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : delay * 2;
		if (pgsink_usable(&st->sink))
			continue;
		if (pgsink_connect(&st->sink, err, sizeof(err)) != PGS_OK)
			warnmsg("reconnect: %s", err);
	}
	for (i = 0; i < st->batch.n; i++) {
		const struct pgrow *row = &st->batch.rows[i];

		if (row->err)
			reject(st, row->lineno, row->err,
			    st->batch.input.data + row->in_off, row->in_len);
	}
	if (st->rej.len > 0) {
		if (buf_write_fd(&st->rej, st->rejfd) < 0)
			die("write '%s':", st->o->reject ? st->o->reject : "<stderr>");
		if (st->rejsync && fdatasync(st->rejfd) < 0 && errno != EINVAL)
			die("sync '%s':", st->o->reject);
		buf_reset(&st->rej);
	}
	write_ack(st);
	pgbatch_reset(&st->batch);
	st->pending = 0;
	progress_update(&st->prog, "%llu rows stored, %llu rejected",
	    st->sink.stored, st->rejected);
}

static void
handle_line(struct state *st, int r, const char *line, size_t len)
{
	char err[256];
	uint64_t absent;

	if (st->pending++ == 0)
		st->batch_start = mono_ms();
	if (r == LINES_TOOLONG) {
		snprintf(err, sizeof(err), "line longer than %ld bytes", st->o->maxline);
		reject(st, st->in.lineno, err, line, len);
		return;
	}
	if (copyrow_blank(line, len))
		return;
	buf_reset(&st->row);
	if (copyrow_convert(&st->cr, line, len, &st->row, &absent, err, sizeof(err)) < 0) {
		/*
		 * A broken last line with no newline is most likely a writer
		 * killed mid-line: its record was not delivered, so it is
		 * neither rejected nor acknowledged, and upstream sends it again.
		 */
		if (st->in.partial) {
			warnmsg("<stdin>:%lu: input ended inside a line (%s); "
			    "not stored, not acknowledged", st->in.lineno, err);
			st->cut = 1;
			return;
		}
		reject(st, st->in.lineno, err, line, len);
		return;
	}
	pgbatch_add(&st->batch, st->row.data, st->row.len, line, len,
	    st->in.lineno, absent);
	pgsink_stream(&st->sink, &st->batch);
}

static void
setup(struct state *st, const struct options *o)
{
	struct copycol *cc;
	struct stat sb;
	char err[512];
	size_t i;

	memset(st, 0, sizeof(*st));
	st->o = o;
	st->ackfd = -1;
	st->rejfd = 2;
	if (o->reject) {
		if ((st->rejfd = open(o->reject, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666)) < 0)
			die("open '%s':", o->reject);
		st->rejsync = fstat(st->rejfd, &sb) == 0 && S_ISREG(sb.st_mode);
	}
	pgsink_init(&st->sink, &o->conn, 0);
	if (pgsink_connect(&st->sink, err, sizeof(err)) != PGS_OK)
		die("connect: %s", err);
	if (pgsink_describe(&st->sink, o->table, o->columns, o->key, err, sizeof(err)) != PGS_OK)
		die("table '%s': %s", o->table, err);
	cc = xcalloc(st->sink.tab.ncols, sizeof(*cc));
	for (i = 0; i < st->sink.tab.ncols; i++) {
		cc[i].name = st->sink.tab.cols[i].name;
		cc[i].is_json = st->sink.tab.cols[i].is_json;
		cc[i].defbit = st->sink.tab.cols[i].has_default ? 0 : -1;
	}
	copyrow_init(&st->cr, cc, st->sink.tab.ncols, o->strict);
	free(cc);
	if (o->ack) {
		/* Opening a FIFO waits here until its reader opens it. */
		while ((st->ackfd = open(o->ack, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666)) < 0) {
			if (errno != EINTR)
				die("open '%s':", o->ack);
			if (stop)
				exit(0);
		}
	}
	lines_init(&st->in, 0, "<stdin>", (size_t)o->maxline);
	progress_init(&st->prog);
	st->last_stats = mono_ms();
	st->next_stats = st->last_stats + o->stats_s * 1000;
}

int
main(int argc, char **argv)
{
	struct options o;
	struct state st;
	char *line;
	size_t len;
	int r;

	setprogname(argv[0]);
	parse_options(argc, argv, &o);
	ignore_sigpipe();
	catch_stop_signals(onsignal);
	setup(&st, &o);

	while (!stop) {
		double now = mono_ms();

		if (st.pending > 0 && now - st.batch_start >= (double)o.timeout_ms)
			flush(&st);
		if (o.verbose && now >= st.next_stats)
			stats(&st, 0);
		if (!lines_buffered(&st.in)) {
			struct pollfd pfd = { 0, POLLIN, 0 };
			double wait = -1;
			int timeout;

			if (st.pending > 0)
				wait = st.batch_start + (double)o.timeout_ms - now;
			if (o.verbose && (wait < 0 || st.next_stats - now < wait))
				wait = st.next_stats - now;
			timeout = wait < 0 && st.pending == 0 && !o.verbose ? -1 :
			    wait <= 0 ? 0 : wait > INT_MAX ? INT_MAX : (int)ceil(wait);
			r = poll(&pfd, 1, timeout);
			if (r < 0 && errno != EINTR)
				die("poll:");
			if (r <= 0)
				continue;
		}
		r = lines_next(&st.in, &line, &len);
		if (r == LINES_EOF)
			break;
		if (r == LINES_ERR)
			die("read '<stdin>':");
		handle_line(&st, r, line, len);
		if (st.batch.n >= (size_t)o.rows || st.pending >= (size_t)o.rows ||
		    st.batch.copy.len + st.batch.input.len + st.rej.len >= BATCH_BYTES)
			flush(&st);
	}
	if (st.pending > 0)
		flush(&st);
	progress_clear(&st.prog);
	if (o.verbose)
		stats(&st, 1);
	if (st.ackfd >= 0)
		close(st.ackfd);
	lines_free(&st.in);
	pgbatch_free(&st.batch);
	copyrow_free(&st.cr);
	pgsink_free(&st.sink);
	buf_free(&st.row);
	buf_free(&st.rej);
	buf_free(&st.tmp);
	return st.cut ? 1 : st.rejected > 0 ? 3 : 0;
}
