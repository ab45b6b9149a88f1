/*
 * test-progress.c: the process-wide progress line (lib/progress.c): every
 * message of util.h and every write announced with progress_before() lands
 * on a line of its own on the terminal, never after progress text; and the
 * one stats line format (statsmsg()).
 */
#include <fcntl.h>
#include <poll.h>
#include <regex.h>
#include <stdlib.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "progress.h"
#include "unit.h"
#include "util.h"

static int master = -1, saved_out = -1, saved_err = -1;

/* Standard output and error onto a new pseudo-terminal; -1 if none. */
static int
pty_on(void)
{
	struct termios t;
	char *name;
	int slave;

	fflush(stdout);
	if ((master = posix_openpt(O_RDWR | O_NOCTTY)) < 0 ||
	    grantpt(master) < 0 || unlockpt(master) < 0 ||
	    (name = ptsname(master)) == NULL ||
	    (slave = open(name, O_RDWR | O_NOCTTY)) < 0)
		return -1;
	if (tcgetattr(slave, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(slave, TCSANOW, &t);
	}
	saved_out = dup(1);
	saved_err = dup(2);
	dup2(slave, 1);
	dup2(slave, 2);
	close(slave);
	return 0;
}

/* Everything written to the terminal into buf; the old fds back. */
static size_t
pty_off(char *buf, size_t size)
{
	struct pollfd pfd = { .events = POLLIN };
	size_t n = 0;
	ssize_t r;

	pfd.fd = master;
	while (n < size - 1 && poll(&pfd, 1, 200) > 0 &&
	    (r = read(master, buf + n, size - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_out);
	close(saved_err);
	close(master);
	return n;
}

/* The lines a terminal shows for raw: \r returns, ESC [ K erases to the end. */
static int
screen(const char *raw, char lines[][128], int max)
{
	int nl = 0, col = 0;
	size_t len = 0;
	const char *p;

	memset(lines, 0, (size_t)max * sizeof(lines[0]));
	for (p = raw; *p && nl < max; p++) {
		if (*p == '\r') {
			col = 0;
		} else if (*p == '\n') {
			nl++;
			col = 0;
			len = 0;
		} else if (strncmp(p, "\033[K", 3) == 0) {
			lines[nl][col] = '\0';
			len = (size_t)col;
			p += 2;
		} else if (col < 127) {
			lines[nl][col++] = *p;
			if ((size_t)col > len)
				len = (size_t)col;
		}
	}
	return nl;
}

static void
pause_redraw(void)
{
	struct timespec ts = { 0, 250 * 1000000L };	/* past the redraw limit */

	nanosleep(&ts, NULL);
}

static void
output_never_follows_progress(void)
{
	static char raw[8192], lines[16][128];
	struct progress p;
	regex_t re;
	int n;

	if (!CHECK(pty_on() == 0))
		return;
	progress_init(&p);
	progress_update(&p, "12 done");
	warnmsg("a message");
	pause_redraw();
	progress_update(&p, "13 done");
	progress_before(STDOUT_FILENO);
	write_all(STDOUT_FILENO, "{\"data\":1}\n", 11);
	pause_redraw();
	progress_update(&p, "14 done");
	statsmsg("stats", "rows=3 rows/s=1.5");
	pause_redraw();
	progress_update(&p, "15 done");
	progress_clear(&p);
	pty_off(raw, sizeof(raw));

	CHECK(strstr(raw, "12 done") != NULL);	/* the line was drawn */
	CHECK(strstr(raw, "15 done") != NULL);
	n = screen(raw, lines, 16);
	CHECK(n == 3);
	CHECK_MEM(lines[0], strlen(lines[0]), "test-progress: a message");
	CHECK_MEM(lines[1], strlen(lines[1]), "{\"data\":1}");
	CHECK(regcomp(&re, "^test-progress: [0-9]{4}-[0-9]{2}-[0-9]{2}T"
	    "[0-9]{2}:[0-9]{2}:[0-9]{2}Z stats: rows=3 rows/s=1\\.5$",
	    REG_EXTENDED | REG_NOSUB) == 0);
	if (!CHECK(regexec(&re, lines[2], 0, NULL, 0) == 0))
		printf("#   got: \"%s\"\n", lines[2]);
	regfree(&re);
	CHECK_MEM(lines[3], strlen(lines[3]), "");	/* cleared at the end */
}

static void
no_line_when_not_a_terminal(void)
{
	struct progress p;
	int fds[2], saved;
	char buf[256];
	ssize_t n;

	if (!CHECK(pipe(fds) == 0))
		return;
	saved = dup(2);
	dup2(fds[1], 2);
	progress_init(&p);
	progress_update(&p, "hidden");
	warnmsg("shown");
	dup2(saved, 2);
	close(saved);
	close(fds[1]);
	n = read(fds[0], buf, sizeof(buf) - 1);
	close(fds[0]);
	CHECK(n > 0);
	buf[n > 0 ? n : 0] = '\0';
	CHECK_MEM(buf, strlen(buf), "test-progress: shown\n");
}

int
main(void)
{
	setprogname("test-progress");
	TEST("a message, a data line and a stats line never share a line "
	    "with progress text", output_never_follows_progress());
	TEST("no progress text when stderr is not a terminal",
	    no_line_when_not_a_terminal());
	return unit_done();
}
