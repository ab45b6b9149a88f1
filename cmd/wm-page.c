/*
 * wm-page: a static status page from PostgreSQL. Reads wm_latest, the
 * rollups and the incidents, writes index.html, a page per site,
 * status.json, a badge per site and a CSV of uptime per month into a new
 * directory beside the output, then swaps it into place.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "buf.h"
#include "page/page.h"
#include "pg/pagedb.h"
#include "pg/pgconn.h"
#include "timeutil.h"
#include "util.h"

static volatile sig_atomic_t stop;
static PGcancel *volatile cancel[2];	/* queries running, for a signal */

struct options {
	const char *out, *title, *group;
	struct pgconnopts conn;
	long days;
	int verbose;
};

_Noreturn static void
usage(int code)
{
	fprintf(code ? stderr : stdout,
	    "usage: wm-page [-Vv] [-d dbname] [-h host] [-p port] [-U user]\n"
	    "               [--group tag] [--since days] [--title text] -o dir\n"
	    "  -o, --output DIR        write the page here (replaced as a whole)\n"
	    "      --title TEXT        page title (default \"Status\")\n"
	    "      --group TAG         group the sites by this tag's value\n"
	    "      --since DAYS        days of history shown, e.g. 90d (default 90)\n"
	    PGCONN_HELP
	    "                          (default: libpq's PG* variables, ~/.pgpass)\n"
	    "  -v, --verbose           say what was written, and how fast\n"
	    "  -?, --help              this help\n"
	    "  -V, --version           print the version\n");
	exit(code);
}

static void
onsignal(int sig)
{
	char buf[256];

	(void)sig;
	stop = 1;
	/* libpq documents PQcancel() as safe in a signal handler. */
	if (cancel[0])
		PQcancel(cancel[0], buf, sizeof(buf));
	if (cancel[1])
		PQcancel(cancel[1], buf, sizeof(buf));
}

/* Drop the cancel handles with the signals held, so no handler uses one. */
static void
forget_cancel(void)
{
	sigset_t set, old;
	PGcancel *cc[2] = { cancel[0], cancel[1] };

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, &old);
	cancel[0] = cancel[1] = NULL;
	sigprocmask(SIG_SETMASK, &old, NULL);
	PQfreeCancel(cc[0]);
	PQfreeCancel(cc[1]);
}

static void
parse_options(int argc, char **argv, struct options *o)
{
	enum { O_GROUP = 256, O_SINCE, O_TITLE, O_HELP };
	static const struct option longopts[] = {
		PGCONN_LONGOPTS,
		{ "group", required_argument, NULL, O_GROUP },
		{ "help", no_argument, NULL, O_HELP },
		{ "output", required_argument, NULL, 'o' },
		{ "since", required_argument, NULL, O_SINCE },
		{ "title", required_argument, NULL, O_TITLE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	char *days;
	int c;

	memset(o, 0, sizeof(*o));
	o->title = "Status";
	o->days = 90;
	opterr = 0;
	while ((c = getopt_long(argc, argv, PGCONN_OPTSTRING "o:Vv?", longopts,
	    NULL)) != -1) {
		if (pgconn_opt(&o->conn, c, optarg))
			continue;
		switch (c) {
		case 'o': o->out = optarg; break;
		case 'v': o->verbose = 1; break;
		case 'V':
			printf("wm-page webmon-%s\n", WEBMON_VERSION);
			exit(0);
		case O_GROUP:
			if (*optarg == '\0')
				dieusage("--group: expected a tag name");
			o->group = optarg;
			break;
		case O_SINCE:
			days = xstrdup(optarg);
			if (*days && days[strlen(days) - 1] == 'd')
				days[strlen(days) - 1] = '\0';
			if (parse_long(days, 1, 3660, &o->days) < 0)
				dieusage("--since: expected days from 1 to 3660, "
				    "such as 90d, not '%s'", optarg);
			free(days);
			break;
		case O_TITLE:
			o->title = optarg;
			break;
		case O_HELP:
			usage(0);
		case '?':
			/* -? asks for help, as in psql; anything else is misuse. */
			if (strcmp(argv[optind - 1], "-?") == 0)
				usage(0);
			if (optopt && strchr("dhopU", optopt))
				dieusage("-%c: expected a value", optopt);
			if (optopt)
				dieusage("unknown option '-%c'", optopt);
			dieusage("unknown option '%s'", argv[optind - 1]);
		default:
			dieusage("unknown option");
		}
	}
	if (optind < argc)
		dieusage("unexpected argument '%s'", argv[optind]);
	if (o->out == NULL || *o->out == '\0')
		dieusage("-o DIR is required");
}

/* Write one file of the new directory; exits on failure. */
static void
put(const char *dir, const char *name, const struct buf *b)
{
	struct buf path = BUF_INIT;
	int fd;

	buf_printf(&path, "%s/%s", dir, name);
	fd = open(path.data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || buf_write_fd(b, fd) < 0 || close(fd) < 0)
		die("write '%s':", path.data);
	buf_free(&path);
}

static int
rm_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)type;
	(void)f;
	if (remove(path) < 0 && errno != ENOENT)
		warnmsg("remove '%s':", path);
	return 0;
}

static void
rm_tree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static char *tmpdir;	/* the directory being written, removed on failure */

static void
cleanup(void)
{
	if (tmpdir)
		rm_tree(tmpdir);
}

/* Every file of the page, into dir. */
static void
write_page(const char *dir, const struct page *p)
{
	struct buf b = BUF_INIT, name = BUF_INIT;
	size_t i;

	page_index(&b, p);
	put(dir, "index.html", &b);
	buf_reset(&b);
	page_status_json(&b, p);
	put(dir, "status.json", &b);
	for (i = 0; i < p->nsites && !stop; i++) {
		const struct psite *s = &p->sites[i];

		buf_reset(&b);
		page_site(&b, p, s);
		buf_reset(&name);
		buf_printf(&name, "site/%s.html", s->slug);
		put(dir, name.data, &b);
		buf_reset(&b);
		page_badge(&b, p, s);
		buf_reset(&name);
		buf_printf(&name, "badge/%s.svg", s->slug);
		put(dir, name.data, &b);
	}
	for (i = 0; i < p->nsla && !stop;) {
		buf_reset(&name);
		buf_printf(&name, "sla/%s.csv", p->sla[i].month);
		buf_reset(&b);
		page_sla_csv(&b, p, &i);
		put(dir, name.data, &b);
	}
	buf_free(&b);
	buf_free(&name);
}

/*
 * Put the new directory in place of out. An existing out is swapped with
 * it in one step (renameat2 RENAME_EXCHANGE), so a reader sees the old page
 * or the new one, never a mix; the old one is then removed. Only a
 * directory that wm-page wrote (it has status.json) or an empty one is
 * replaced.
 */
static void
swap_in(const char *tmp, const char *out)
{
	struct stat st;
	struct buf probe = BUF_INIT, old = BUF_INIT;

	if (lstat(out, &st) < 0) {
		if (errno != ENOENT)
			die("'%s':", out);
		if (rename(tmp, out) < 0)
			die("rename to '%s':", out);
		return;
	}
	if (!S_ISDIR(st.st_mode))
		die("'%s' exists and is not a directory", out);
	buf_printf(&probe, "%s/status.json", out);
	if (access(probe.data, F_OK) < 0 && rmdir(out) == 0) {
		buf_free(&probe);
		if (rename(tmp, out) < 0)
			die("rename to '%s':", out);
		return;
	}
	if (access(probe.data, F_OK) < 0)
		die("'%s' is not empty and has no status.json: not replacing a "
		    "directory that wm-page did not write", out);
	buf_free(&probe);
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, out, RENAME_EXCHANGE) == 0) {
		/* tmp now holds the old page. */
		rm_tree(tmp);
		return;
	}
	if (errno != EINVAL && errno != ENOSYS)
		die("swap '%s' into place:", out);
	/*
	 * A file system without the exchange (some network ones): move the
	 * old page aside, then the new one in; a reader may find no page for
	 * the moment between the two renames.
	 */
	buf_printf(&old, "%s.old", tmp);
	if (rename(out, old.data) < 0)
		die("rename '%s':", out);
	if (rename(tmp, out) < 0) {
		warnmsg("rename to '%s':", out);
		if (rename(old.data, out) < 0)
			warnmsg("put '%s' back:", out);
		exit(1);
	}
	rm_tree(old.data);
	buf_free(&old);
}

int
main(int argc, char **argv)
{
	struct options o;
	struct page p;
	char err[1024];
	struct buf tmpl = BUF_INIT, sub = BUF_INIT;
	char *outcopy, *basecopy, *parent, *base;
	const char *subs[] = { "site", "badge", "sla" };
	double t0 = mono_ms(), t1;
	PGconn *c, *c2;
	size_t i;

	setprogname(argv[0]);
	parse_options(argc, argv, &o);
	ignore_sigpipe();
	catch_stop_signals(onsignal);

	memset(&p, 0, sizeof(p));
	p.title = o.title;
	p.group_tag = o.group;
	p.ndays = (int)o.days;
	/* Two connections: the largest read runs beside the others. */
	if ((c = pgconn_open(&o.conn, "wm-page", err, sizeof(err))) == NULL ||
	    (c2 = pgconn_open(&o.conn, "wm-page", err, sizeof(err))) == NULL)
		die("connect: %s", err);
	cancel[0] = PQgetCancel(c);
	cancel[1] = PQgetCancel(c2);
	if (pagedb_load(c, c2, &p, err, sizeof(err)) < 0 && !stop)
		die("read %s", err);
	forget_cancel();
	PQfinish(c);
	PQfinish(c2);
	t1 = mono_ms();
	if (stop)
		die("stopped before writing");

	/* The new directory beside the output, on the same file system. */
	outcopy = xstrdup(o.out);
	parent = dirname(outcopy);
	basecopy = xstrdup(o.out);
	base = basename(basecopy);
	buf_printf(&tmpl, "%s/.%s.new-XXXXXX", parent, base);
	if (mkdtemp(tmpl.data) == NULL)
		die("make a directory beside '%s':", o.out);
	tmpdir = tmpl.data;
	atexit(cleanup);
	if (chmod(tmpdir, 0755) < 0)
		die("chmod '%s':", tmpdir);
	for (i = 0; i < sizeof(subs) / sizeof(*subs); i++) {
		buf_reset(&sub);
		buf_printf(&sub, "%s/%s", tmpdir, subs[i]);
		if (mkdir(sub.data, 0755) < 0)
			die("mkdir '%s':", sub.data);
	}
	write_page(tmpdir, &p);
	if (stop)
		die("stopped before the page was complete; '%s' unchanged", o.out);
	swap_in(tmpdir, o.out);
	tmpdir = NULL;
	if (o.verbose)
		warnmsg("%zu sites, %zu SLA rows: read %.0f ms, written %.0f ms "
		    "into '%s'", p.nsites, p.nsla, t1 - t0, mono_ms() - t1, o.out);
	page_free(&p);
	buf_free(&tmpl);
	buf_free(&sub);
	free(outcopy);
	free(basecopy);
	return 0;
}
