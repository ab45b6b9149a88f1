/*
 * wm-pg-copy: NDJSON from files or stdin into a PostgreSQL table with COPY,
 * in batches of one transaction each, bad lines set aside, and an
 * acknowledgement of the lines made durable for the stage upstream.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ack.h"
#include "buf.h"
#include "cli.h"
#include "infiles.h"
#include "pg/copyrow.h"
#include "lines.h"
#include "pg/pgcopy.h"
#include "pg/pgreject.h"
#include "pg/pgversion.h"
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
	char **files;			/* input operands; none: stdin */
	int nfiles;
};

struct state {
	const struct options *o;
	struct pgsink sink;
	struct copyrow cr;
	struct lines in;		/* lineno counts across all inputs */
	struct infiles files;		/* the operands, read through in */
	int badfile;			/* an operand could not be opened */
	struct pgretry retry;
	struct pgbatch batch;
	struct buf row;
	struct pgreject rej;		/* records written before each ack */
	struct progress prog;
	struct ackw ack;
	int acking;
	int in_stream;			/* stdin is a pipe, FIFO or socket */
	int cut;			/* input ended inside a broken last line */
	int eof;			/* every input has ended */
	size_t pending;			/* input lines since the last ack */
	double batch_start;		/* monotonic ms of the first of them */
	unsigned long long rejected;
	unsigned long long last_stored;	/* for the rate in stats lines */
	double last_stats, next_stats;
};

static const struct cli_prog cli = {
	.name = "wm-pg-copy",
	.synopsis =
	    "usage: wm-pg-copy [-?Vv] [-d dbname] [-h host] [-n rows] [-p port] [-T ms]\n"
	    "                  [-U user] -t table [--ack path] [--columns col[,col...]]\n"
	    "                  [--key col[,col...]] [--max-line bytes] [--reject file]\n"
	    "                  [--stats-interval s] [--strict] [file ...]\n",
	.options =
	    "options:\n"
	    "  -t, --table TABLE       target table, [schema.]table in SQL syntax\n"
	    PGCONN_HELP
	    "  -n, --rows N            rows per batch (default 1000)\n"
	    "  -T, --timeout MS        flush a batch MS after its first line (default 1000)\n"
	    "      --key COLS          skip rows whose key already exists (needs a\n"
	    "                          unique index on exactly these columns)\n"
	    "      --columns COLS      write only these columns\n"
	    "      --strict            reject lines with keys that are not columns\n"
	    "      --reject FILE       rejected lines as NDJSON (default stderr)\n"
	    "      --ack PATH          count of durable input lines after each batch\n"
	    "      --max-line BYTES    longest line accepted (default 1048576)\n"
	    "  -v, --verbose           a stats line every --stats-interval seconds,\n"
	    "                          a line per retry while the database is down\n"
	    "      --stats-interval S  seconds between stats lines (default 10)\n"
	    "  -?, --help              show this help\n"
	    "  -V, --version           show the version and the libpq version\n",
	.versions = pg_versions,
};

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
		PGCONN_LONGOPTS,
		{ "help", no_argument, NULL, '?' },
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
	while ((c = cli_getopt(argc, argv, PGCONN_OPTSTRING "n:T:t:Vv?",
	    longopts)) != -1) {
		if (pgconn_opt(&o->conn, c, optarg))
			continue;
		switch (c) {
		case '?':	/* -? and --help */
			cli_help();
		case 'n':
			o->rows = cli_long(optarg, 1, 10000000);
			break;
		case 'T':
			o->timeout_ms = cli_long(optarg, 0, 86400000);
			break;
		case 't':
			o->table = optarg;
			break;
		case 'V':
			cli_version();
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
			o->maxline = cli_long(optarg, 2, 1024L * 1024 * 1024);
			break;
		case O_REJECT:
			o->reject = optarg;
			break;
		case O_STATS:
			o->stats_s = cli_seconds(optarg, 0.001);
			break;
		case O_STRICT:
			o->strict = 1;
			break;
		}
	}
	o->files = argv + optind;
	o->nfiles = argc - optind;
	if (o->ack && (o->nfiles > 1 || (o->nfiles == 1 && strcmp(o->files[0], "-") != 0)))
		dieusage("--ack acknowledges standard input, not file operands");
	if (o->table == NULL || *o->table == '\0')
		dieusage("-t TABLE is required");
	if (o->columns && (*o->columns == '\0' || strstr(o->columns, ",,")))
		dieusage("--columns: expected a comma-separated list, not '%s'", o->columns);
	if (o->key && (*o->key == '\0' || strstr(o->key, ",,")))
		dieusage("--key: expected a comma-separated list, not '%s'", o->key);
}

/*
 * Queue one reject record, written out before the next acknowledgement;
 * with file operands it names the file and the line in it.
 */
static void
reject(struct state *st, unsigned long lineno, const char *why,
    const char *line, size_t len)
{
	const struct infile *in = infiles_where(&st->files, lineno, &lineno);

	pgreject_add(&st->rej, st->o->nfiles > 0 && in ? in->name : NULL,
	    lineno, why, line, len);
	st->rejected++;
}

static void
stats(struct state *st, int final)
{
	double now = mono_ms(), secs = (now - st->last_stats) / 1000;
	unsigned long long n = st->sink.stored - st->last_stored;

	statsmsg(final ? "total" : "stats", "stored=%llu rows/s=%.0f "
	    "batches=%llu rejected=%llu duplicates=%llu retries=%llu",
	    st->sink.stored, secs > 0 ? (double)n / secs : 0.0, st->sink.batches,
	    st->rejected, st->sink.duplicates, st->retry.total);
	st->last_stats = now;
	st->last_stored = st->sink.stored;
	st->next_stats = now + st->o->stats_s * 1000;
}

/* Acknowledge every input line dealt with; never blocks (lib/ack.h). */
static void
write_ack(struct state *st)
{
	char err[256];

	if (st->acking && ackw_ack(&st->ack, st->in.lineno -
	    (unsigned long)st->cut, err, sizeof(err)) == ACK_ERR)
		die("--ack: %s", err);
}

/*
 * Keep the acknowledgement FIFO connected. A reader that is new (a new
 * run upstream) learns how many input lines came before it; that count is
 * taken only when no input is waiting (idle), after dropping what is left
 * of an unfinished line of the writer it replaced.
 */
static void
ack_service(struct state *st, short revents, int idle)
{
	char err[256];
	size_t n;

	if (!st->acking)
		return;
	if (ackw_service(&st->ack, revents, err, sizeof(err)) == ACK_ERR)
		die("--ack: %s", err);
	if (!ackw_needbase(&st->ack) || (lines_buffered(&st->in) && !st->in.eof) ||
	    (st->in_stream && st->ack.isfifo && !idle))
		return;
	if ((n = lines_drop_partial(&st->in)) > 0)
		warnmsg("<stdin>:%lu: %zu bytes of an unfinished line dropped: "
		    "the writer of the input started anew", st->in.lineno + 1, n);
	if (ackw_start(&st->ack, st->in.lineno, err, sizeof(err)) == ACK_ERR)
		die("--ack: %s", err);
}

/* Store the batch (retrying temporary failures), then reject records, then the ack. */
static void
flush(struct state *st)
{
	char err[512];
	double down;
	size_t i;
	int r;

	while ((r = pgsink_flush(&st->sink, &st->batch, err, sizeof(err))) != PGS_OK) {
		progress_clear(&st->prog);
		if (r == PGS_PERM)
			die("%s: %s (input lines up to %lu not stored)",
			    st->sink.tab.name, err, st->in.lineno);
		if (pgsink_wait_out(&st->sink, &st->retry, err, st->o->verbose,
		    &st->prog, &stop) < 0)
			die("interrupted while retrying: %zu rows not stored",
			    st->batch.n);
	}
	if ((down = pgretry_ok(&st->retry, mono_ms())) >= 0) {
		progress_clear(&st->prog);
		warnmsg("%s: %s after %.1f s", st->sink.tab.name,
		    st->sink.connects > st->retry.connects ? "reconnected" :
		    "stored", down / 1000);
	}
	for (i = 0; i < st->batch.n; i++) {
		const struct pgrow *row = &st->batch.rows[i];

		if (row->err)
			reject(st, row->lineno, row->err,
			    st->batch.input.data + row->in_off, row->in_len);
	}
	if (pgreject_write(&st->rej, err, sizeof(err)) < 0)
		die("%s", err);
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
			unsigned long n;

			infiles_where(&st->files, st->in.lineno, &n);
			warnmsg("%s:%lu: input ended inside a line (%s); "
			    "not stored, not acknowledged", st->in.name,
			    n, err);
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

/* Open the next input operand that opens; -1 when none is left. */
static int
next_input(struct state *st)
{
	char err[512];
	int r;

	while ((r = infiles_next(&st->files, err, sizeof(err))) == 1) {
		progress_clear(&st->prog);
		warnmsg("%s", err);
		st->badfile = 1;
	}
	return r;
}

static void
setup(struct state *st, const struct options *o)
{
	struct stat sb;
	char err[512];

	memset(st, 0, sizeof(*st));
	st->o = o;
	if (pgreject_open(&st->rej, o->reject, err, sizeof(err)) < 0)
		die("%s", err);
	/* Acknowledged rows must survive an immediate shutdown of the server. */
	pgsink_init(&st->sink, &o->conn, o->ack ? PGSINK_SYNC_COMMIT : 0);
	pgretry_init(&st->retry, BACKOFF_MIN_MS, BACKOFF_MAX_MS);
	if (pgsink_connect(&st->sink, err, sizeof(err)) != PGS_OK)
		die("connect: %s", err);
	if (pgsink_describe(&st->sink, o->table, o->columns, o->key, err, sizeof(err)) != PGS_OK)
		die("table '%s': %s", o->table, err);
	pgtable_copyrow(&st->sink.tab, &st->cr, o->strict);
	if (o->ack) {
		/* Never waits here: the reader is met in the main loop. */
		if (ackw_init(&st->ack, o->ack, 0, err, sizeof(err)) < 0)
			die("--ack: %s", err);
		st->acking = 1;
		st->in_stream = fstat(0, &sb) == 0 && !S_ISREG(sb.st_mode) &&
		    !S_ISBLK(sb.st_mode) && !S_ISCHR(sb.st_mode);
	}
	progress_init(&st->prog);
	infiles_init(&st->files, &st->in, o->files, o->nfiles, (size_t)o->maxline);
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

	cli_init(&cli);
	parse_options(argc, argv, &o);
	ignore_sigpipe();
	catch_stop_signals(onsignal);
	setup(&st, &o);
	st.eof = next_input(&st) < 0;

	while (!stop && !st.eof) {
		double now = mono_ms();

		if (st.pending > 0 && now - st.batch_start >= (double)o.timeout_ms)
			flush(&st);
		if (o.verbose && now >= st.next_stats)
			stats(&st, 0);
		if (!lines_buffered(&st.in)) {
			struct pollfd pfd[2] = { { st.in.fd, POLLIN, 0 } };
			double wait = -1;
			int timeout, ackwait;

			if (st.pending > 0)
				wait = st.batch_start + (double)o.timeout_ms - now;
			if (o.verbose && (wait < 0 || st.next_stats - now < wait))
				wait = st.next_stats - now;
			timeout = wait < 0 && st.pending == 0 && !o.verbose ? -1 :
			    wait <= 0 ? 0 : wait > INT_MAX ? INT_MAX : (int)ceil(wait);
			ackwait = st.acking ? ackw_pollfd(&st.ack, &pfd[1]) : -1;
			if (ackwait >= 0 && (timeout < 0 || ackwait < timeout))
				timeout = ackwait;
			pfd[1].fd = st.acking ? pfd[1].fd : -1;
			r = poll(pfd, 2, timeout);
			if (r < 0 && errno != EINTR)
				die("poll:");
			ack_service(&st, r > 0 ? pfd[1].revents : 0,
			    r >= 0 && !(pfd[0].revents & (POLLIN | POLLHUP | POLLERR)));
			if (r <= 0 || !(pfd[0].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			/* Never block inside an unfinished line (lines_next would). */
			if (lines_fill(&st.in) < 0)
				die("read '%s':", st.in.name);
			continue;
		}
		r = lines_next(&st.in, &line, &len);
		if (r == LINES_EOF) {
			st.eof = next_input(&st) < 0;
			continue;
		}
		if (r == LINES_ERR)
			die("read '%s':", st.in.name);
		handle_line(&st, r, line, len);
		if (st.batch.n >= (size_t)o.rows || st.pending >= (size_t)o.rows ||
		    st.batch.copy.len + st.batch.input.len + st.rej.queue.len >= BATCH_BYTES)
			flush(&st);
	}
	if (st.pending > 0)
		flush(&st);
	progress_clear(&st.prog);
	if (o.verbose)
		stats(&st, 1);
	if (st.acking) {
		/* The reader is draining too: give the last ack a moment. */
		ack_service(&st, 0, 1);
		ackw_drain(&st.ack, 2000);
		ackw_close(&st.ack);
	}
	lines_free(&st.in);
	pgbatch_free(&st.batch);
	copyrow_free(&st.cr);
	pgsink_free(&st.sink);
	buf_free(&st.row);
	pgreject_free(&st.rej);
	infiles_free(&st.files);
	return st.cut || st.badfile ? 1 : st.rejected > 0 ? 3 : 0;
}
