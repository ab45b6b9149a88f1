/* test-infiles.c: file operands read in turn, line numbers across them (lib/infiles.c). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "infiles.h"
#include "unit.h"

static char dir[] = "/tmp/test-infiles.XXXXXX";

/* Write text to dir/name; returns the path (static storage, one per name). */
static char *
put(const char *name, const char *text)
{
	char *path = malloc(256);
	FILE *f;

	snprintf(path, 256, "%s/%s", dir, name);
	if ((f = fopen(path, "w")) != NULL) {
		fputs(text, f);
		fclose(f);
	}
	return path;
}

/* Read every line of every operand; the numbers as "name:line " pairs. */
static void
read_all(char **names, int n, char *out, size_t outsize, int *skipped)
{
	struct infiles f;
	struct lines in;
	const struct infile *w;
	unsigned long line;
	char err[256], *l;
	size_t len, used = 0;
	int r;

	*skipped = 0;
	out[0] = '\0';
	infiles_init(&f, &in, names, n, 100);
	while ((r = infiles_next(&f, err, sizeof(err))) >= 0) {
		if (r == 1) {
			(*skipped)++;
			continue;
		}
		while (lines_next(&in, &l, &len) == LINES_OK) {
			w = infiles_where(&f, in.lineno, &line);
			used += (size_t)snprintf(out + used, outsize - used, "%s:%lu=%lu ",
			    w ? w->name + (w->name[0] == '/' ? sizeof(dir) : 0) : "?",
			    line, in.lineno);
		}
	}
	/* Earlier lines still map back to their file after the last has ended. */
	w = infiles_where(&f, 1, &line);
	used += (size_t)snprintf(out + used, outsize - used, "| 1 in %s:%lu",
	    w ? w->name + (w->name[0] == '/' ? sizeof(dir) : 0) : "?", line);
	infiles_free(&f);
	lines_free(&in);
}

static void
across(void)
{
	char *names[4], out[512];
	int skipped;

	names[0] = put("a", "a1\na2\n");
	names[1] = put("b", "b1\n");
	names[2] = put("empty", "");
	names[3] = put("c", "c1\nc2");
	read_all(names, 4, out, sizeof(out), &skipped);
	CHECK(skipped == 0);
	CHECK_MEM(out, strlen(out), "a:1=1 a:2=2 b:1=3 c:1=4 c:2=5 | 1 in a:1");
	free(names[0]);
	free(names[1]);
	free(names[2]);
	free(names[3]);
}

static void
missing(void)
{
	char *names[3], out[512];
	int skipped;

	names[0] = put("x", "x1\n");
	names[1] = (char *)"/nonexistent/file";
	names[2] = put("y", "y1\n");
	read_all(names, 3, out, sizeof(out), &skipped);
	CHECK(skipped == 1);
	CHECK_MEM(out, strlen(out), "x:1=1 y:1=2 | 1 in x:1");
	free(names[0]);
	free(names[2]);
}

static void
none(void)
{
	struct infiles f;
	struct lines in;
	unsigned long line;
	char err[64];

	/* Before any input, a line number maps to no file. */
	infiles_init(&f, &in, NULL, 0, 100);
	CHECK(infiles_where(&f, 7, &line) == NULL && line == 7);
	/* No operands: standard input, once. */
	CHECK(infiles_next(&f, err, sizeof(err)) == 0);
	CHECK(in.fd == STDIN_FILENO);
	CHECK_MEM(f.files[0].name, strlen(f.files[0].name), "<stdin>");
	CHECK(infiles_next(&f, err, sizeof(err)) == -1);
	infiles_free(&f);
	lines_free(&in);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	TEST("line numbers run on across files; each maps back to its file", across());
	TEST("a file that cannot be opened is skipped and said", missing());
	TEST("no operand is standard input", none());
	{
		char cmd[64];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		(void)system(cmd);
	}
	return unit_done();
}
