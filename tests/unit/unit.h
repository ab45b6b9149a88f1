/*
 * unit.h: the harness of the C unit tests of lib/, in git's t/helper
 * style. Each test-*.c is a program whose main() runs its cases with
 * TEST() and returns unit_done(); the output is TAP on stdout:
 *
 *	ok 1 - title
 *	# test-x.c:42: check failed: n == 3
 *	not ok 2 - other title
 *	1..2
 *
 * CHECK() reports a failed condition with its file and line and lets the
 * case go on; a case with any failed check is "not ok".
 */
#ifndef WEBMON_UNIT_H
#define WEBMON_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_ncases, unit_nfailed, unit_case_failed;

static inline int
unit_check(int ok, const char *what, const char *file, int line)
{
	if (!ok) {
		printf("# %s:%d: check failed: %s\n", file, line, what);
		unit_case_failed = 1;
	}
	return ok;
}

/* Returns the truth of cond, so a case can stop: if (!CHECK(p)) return; */
#define CHECK(cond) unit_check((cond) != 0, #cond, __FILE__, __LINE__)

/* got[0..n) equals the C string want; prints both when not. */
#define CHECK_MEM(got, n, want) \
	unit_check_mem((got), (n), (want), #got, __FILE__, __LINE__)

static inline int
unit_check_mem(const char *got, size_t n, const char *want, const char *what,
    const char *file, int line)
{
	if (got != NULL && n == strlen(want) && memcmp(got, want, n) == 0)
		return 1;
	printf("# %s:%d: check failed: %s\n#   got:  \"%.*s\"\n"
	    "#   want: \"%s\"\n", file, line, what, got ? (int)n : 6,
	    got ? got : "(null)", want);
	unit_case_failed = 1;
	return 0;
}

/* Run one case: a call, or a block of statements. */
#define TEST(title, body) do { \
	unit_case_failed = 0; \
	body; \
	unit_report(title); \
} while (0)

static inline void
unit_report(const char *title)
{
	unit_ncases++;
	if (unit_case_failed)
		unit_nfailed++;
	printf("%sok %d - %s\n", unit_case_failed ? "not " : "", unit_ncases,
	    title);
	fflush(stdout);
}

/* The plan line; the exit status of the program. */
static inline int
unit_done(void)
{
	printf("1..%d\n", unit_ncases);
	return unit_nfailed > 0 ? 1 : 0;
}

#endif
