/*
 * progress.c: a one-line progress display on a terminal's stderr. The line
 * is process-wide: the handle that drew it last is the active one, and
 * util.c's messages erase it through progress_hook before they are written.
 */
#include "progress.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "timeutil.h"
#include "util.h"

#define REDRAW_MS 200.0
#define ERASE "\r\033[K"

static struct progress *active;	/* whose line is on the terminal */
static int out_same = -1;	/* stdout is stderr's terminal; -1: unknown */

/* Straight to the terminal, unbuffered; an error loses only progress text. */
static void
put(const char *s, size_t n)
{
	(void)write_all(STDERR_FILENO, s, n);
}

static void
erase(void)
{
	int saved = errno;

	if (active != NULL && active->shown)
		put(ERASE, sizeof(ERASE) - 1);
	if (active != NULL)
		active->shown = 0;
	active = NULL;
	progress_hook = NULL;
	errno = saved;
}

/* Whether fd writes to the terminal stderr shows. */
static int
same_terminal(int fd)
{
	struct stat a, b;
	int same;

	if (fd == STDERR_FILENO)
		return 1;
	if (fd == STDOUT_FILENO && out_same >= 0)
		return out_same;
	same = isatty(fd) && fstat(fd, &a) == 0 &&
	    fstat(STDERR_FILENO, &b) == 0 && a.st_rdev == b.st_rdev;
	if (fd == STDOUT_FILENO)
		out_same = same;
	return same;
}

void
progress_before(int fd)
{
	if (active != NULL && same_terminal(fd))
		erase();
}

static void
hook(int fd)
{
	progress_before(fd);
}

void
progress_init(struct progress *p)
{
	p->enabled = isatty(STDERR_FILENO);
	p->shown = 0;
	p->last_ms = 0;
}

void
progress_update(struct progress *p, const char *fmt, ...)
{
	char line[256];
	double now;
	va_list ap;
	int n;

	if (!p->enabled)
		return;
	now = mono_ms();
	if (p->last_ms > 0 && now - p->last_ms < REDRAW_MS)
		return;
	p->last_ms = now;
	memcpy(line, ERASE, sizeof(ERASE) - 1);
	va_start(ap, fmt);
	n = vsnprintf(line + sizeof(ERASE) - 1, sizeof(line) - sizeof(ERASE) + 1,
	    fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	n += sizeof(ERASE) - 1;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (active != NULL && active != p)
		active->shown = 0;	/* overdrawn by this one */
	fflush(stderr);
	put(line, (size_t)n);
	p->shown = 1;
	active = p;
	progress_hook = hook;
}

void
progress_clear(struct progress *p)
{
	if (active == p)
		erase();
	p->shown = 0;
}
