/* progress.c: a one-line progress display on a terminal's stderr. */
#include "progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "timeutil.h"

#define REDRAW_MS 200.0

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
	double now;
	va_list ap;

	if (!p->enabled)
		return;
	now = mono_ms();
	if (p->shown && now - p->last_ms < REDRAW_MS)
		return;
	p->last_ms = now;
	fputs("\r\033[K", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
	p->shown = 1;
}

void
progress_clear(struct progress *p)
{
	if (p->enabled && p->shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	p->shown = 0;
}
