/* test-ack.c: both sides of the acknowledgement protocol (lib/ack.c). */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ack.h"
#include "unit.h"

static char dir[] = "/tmp/test-ack.XXXXXX";
static char path[64];

/* Serve the writer until it asks for a base (or ms pass). */
static int
connect_writer(struct ackw *w, int ms)
{
	char msg[256];
	int i, rc = ACK_NONE;

	for (i = 0; i < ms / 10 && rc != ACK_NEEDBASE; i++) {
		rc = ackw_service(w, 0, msg, sizeof(msg));
		if (rc != ACK_NEEDBASE)
			poll(NULL, 0, 10);
	}
	return rc;
}

/* The next reader result, skipping ACK_NONE for up to ms. */
static int
next(struct ackr *r, uint64_t written, uint64_t *n, char *msg, size_t size,
    int ms)
{
	int i, rc = ACK_NONE;

	for (i = 0; i <= ms / 10 && rc == ACK_NONE; i++) {
		rc = ackr_next(r, written, n, msg, size);
		if (rc == ACK_NONE)
			poll(NULL, 0, 10);
	}
	return rc;
}

static void
handshake_and_counts(void)
{
	struct ackr r;
	struct ackw w;
	char msg[256];
	uint64_t n = 0;
	int data[2];

	if (!CHECK(pipe(data) == 0))
		return;
	/* The writer may start first: no FIFO yet, it waits. */
	CHECK(ackw_init(&w, path, data[0], msg, sizeof(msg)) == 0);
	CHECK(ackw_service(&w, 0, msg, sizeof(msg)) == ACK_NONE);
	CHECK(ackr_open(&r, path, data[1], msg, sizeof(msg)) == 0);
	CHECK(!ackr_ready(&r));
	CHECK(connect_writer(&w, 1000) == ACK_NEEDBASE);
	CHECK(ackw_needbase(&w));
	/* Three lines of an earlier writer were read before: base 3. */
	CHECK(ackw_start(&w, 3, msg, sizeof(msg)) == ACK_NONE);
	CHECK(next(&r, 0, &n, msg, sizeof(msg), 500) == ACK_COUNT && n == 0);
	CHECK(ackr_ready(&r));
	CHECK(ackw_ack(&w, 5, msg, sizeof(msg)) == ACK_NONE);
	CHECK(next(&r, 4, &n, msg, sizeof(msg), 500) == ACK_COUNT && n == 2);
	/* More than was written: the stream is broken, never clamped. */
	CHECK(ackw_ack(&w, 9, msg, sizeof(msg)) == ACK_NONE);
	CHECK(next(&r, 4, &n, msg, sizeof(msg), 500) == ACK_BROKEN);
	CHECK(strstr(msg, "acknowledges 6 lines but only 4 were written") != NULL);
	ackw_close(&w);
	ackr_close(&r);
	close(data[0]);
	close(data[1]);
}

static void
other_stream_and_garbage_ignored(void)
{
	struct ackr r;
	struct ackw w;
	char msg[256];
	uint64_t n;
	int data[2], other[2], fd;

	if (!CHECK(pipe(data) == 0 && pipe(other) == 0))
		return;
	CHECK(ackr_open(&r, path, data[1], msg, sizeof(msg)) == 0);
	/* A writer reading another pipe: a sink of an earlier run. */
	CHECK(ackw_init(&w, path, other[0], msg, sizeof(msg)) == 0);
	CHECK(connect_writer(&w, 1000) == ACK_NEEDBASE);
	CHECK(ackw_start(&w, 0, msg, sizeof(msg)) == ACK_NONE);
	CHECK(next(&r, 0, &n, msg, sizeof(msg), 500) == ACK_IGNORED);
	CHECK(strstr(msg, "another stream") != NULL);
	CHECK(!ackr_ready(&r));
	fd = open(path, O_WRONLY | O_NONBLOCK);
	CHECK(fd >= 0 && write(fd, "12\n", 3) == 3);
	CHECK(next(&r, 0, &n, msg, sizeof(msg), 500) == ACK_IGNORED);
	CHECK(strstr(msg, "not an acknowledgement") != NULL);
	close(fd);
	ackw_close(&w);
	ackr_close(&r);
	close(data[0]);
	close(data[1]);
	close(other[0]);
	close(other[1]);
}

static void
new_writer_run(void)
{
	struct ackr r;
	struct ackw w1, w2;
	char msg[256];
	uint64_t n;
	int data[2];

	if (!CHECK(pipe(data) == 0))
		return;
	CHECK(ackr_open(&r, path, data[1], msg, sizeof(msg)) == 0);
	CHECK(ackw_init(&w1, path, data[0], msg, sizeof(msg)) == 0);
	CHECK(connect_writer(&w1, 1000) == ACK_NEEDBASE);
	ackw_start(&w1, 0, msg, sizeof(msg));
	ackw_ack(&w1, 10, msg, sizeof(msg));
	/* Nothing is written before the writer's first line. */
	CHECK(next(&r, 0, &n, msg, sizeof(msg), 500) == ACK_COUNT && n == 0);
	CHECK(next(&r, 10, &n, msg, sizeof(msg), 500) == ACK_COUNT && n == 10);
	/* Everything written was acknowledged: a new writer is taken, its
	 * lines counted on from 10. */
	CHECK(ackw_init(&w2, path, data[0], msg, sizeof(msg)) == 0);
	CHECK(connect_writer(&w2, 1000) == ACK_NEEDBASE);
	ackw_start(&w2, 0, msg, sizeof(msg));
	CHECK(next(&r, 10, &n, msg, sizeof(msg), 500) == ACK_COUNT && n == 10);
	ackw_ack(&w2, 4, msg, sizeof(msg));
	CHECK(next(&r, 15, &n, msg, sizeof(msg), 500) == ACK_COUNT && n == 14);
	/* Now with a line in doubt: the first writer again is refused. */
	ackw_ack(&w1, 11, msg, sizeof(msg));
	CHECK(next(&r, 15, &n, msg, sizeof(msg), 500) == ACK_BROKEN);
	CHECK(strstr(msg, "started anew") != NULL);
	ackw_close(&w1);
	ackw_close(&w2);
	ackr_close(&r);
	close(data[0]);
	close(data[1]);
}

static void
reader_replaced(void)
{
	struct ackr r1, r2;
	struct ackw w;
	char msg[256];
	uint64_t n;
	int data[2];

	if (!CHECK(pipe(data) == 0))
		return;
	CHECK(ackr_open(&r1, path, data[1], msg, sizeof(msg)) == 0);
	CHECK(ackw_init(&w, path, data[0], msg, sizeof(msg)) == 0);
	CHECK(connect_writer(&w, 1000) == ACK_NEEDBASE);
	ackw_start(&w, 0, msg, sizeof(msg));
	ackw_ack(&w, 7, msg, sizeof(msg));
	/* A new reader run makes its own FIFO: the writer follows it and
	 * asks for a new base; the old reader hears nothing more. */
	CHECK(ackr_open(&r2, path, data[1], msg, sizeof(msg)) == 0);
	CHECK(connect_writer(&w, 1000) == ACK_NEEDBASE);
	CHECK(ackw_start(&w, 7, msg, sizeof(msg)) == ACK_NONE);
	ackw_ack(&w, 9, msg, sizeof(msg));
	CHECK(next(&r2, 0, &n, msg, sizeof(msg), 500) == ACK_COUNT && n == 0);
	CHECK(next(&r2, 2, &n, msg, sizeof(msg), 500) == ACK_COUNT && n == 2);
	CHECK(next(&r1, 0, &n, msg, sizeof(msg), 500) == ACK_COUNT && n == 0);
	CHECK(next(&r1, 7, &n, msg, sizeof(msg), 500) == ACK_COUNT && n == 7);
	CHECK(next(&r1, 7, &n, msg, sizeof(msg), 100) == ACK_NONE);
	ackw_close(&w);
	ackr_close(&r1);
	ackr_close(&r2);
	close(data[0]);
	close(data[1]);
}

static void
full_fifo_never_blocks(void)
{
	struct ackr r;
	struct ackw w;
	char msg[256];
	uint64_t n = 0, i;
	int data[2], rc;

	if (!CHECK(pipe(data) == 0))
		return;
	CHECK(ackr_open(&r, path, data[1], msg, sizeof(msg)) == 0);
	CHECK(ackw_init(&w, path, data[0], msg, sizeof(msg)) == 0);
	CHECK(connect_writer(&w, 1000) == ACK_NEEDBASE);
	ackw_start(&w, 0, msg, sizeof(msg));
	/* Far more than a FIFO holds, nobody reading: no call blocks. */
	for (i = 1; i <= 100000; i++)
		CHECK(ackw_ack(&w, i, msg, sizeof(msg)) == ACK_NONE);
	CHECK(ackr_next(&r, 0, &n, msg, sizeof(msg)) == ACK_COUNT && n == 0);
	while ((rc = ackr_next(&r, 100000, &n, msg, sizeof(msg))) == ACK_COUNT)
		;
	CHECK(rc == ACK_NONE && n < 100000);
	/* Room again: the last count goes out. */
	CHECK(ackw_drain(&w, 1000));
	CHECK(next(&r, 100000, &n, msg, sizeof(msg), 500) == ACK_COUNT &&
	    n == 100000);
	ackw_close(&w);
	ackr_close(&r);
	close(data[0]);
	close(data[1]);
}

static void
files(void)
{
	struct ackr r;
	struct ackw w;
	char msg[256], line[256];
	FILE *fp;
	int fd, data[2];

	if (!CHECK(pipe(data) == 0))
		return;
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && write(fd, "old\n", 4) == 4);
	close(fd);
	/* The reader refuses a regular file: it would mix runs. */
	CHECK(ackr_open(&r, path, data[1], msg, sizeof(msg)) == -1);
	CHECK(strstr(msg, "not a FIFO") != NULL);
	/* The writer appends to one. */
	CHECK(ackw_init(&w, path, data[0], msg, sizeof(msg)) == 0);
	CHECK(connect_writer(&w, 1000) == ACK_NEEDBASE);
	ackw_start(&w, 0, msg, sizeof(msg));
	ackw_ack(&w, 2, msg, sizeof(msg));
	ackw_close(&w);
	fp = fopen(path, "r");
	CHECK(fp && fgets(line, sizeof(line), fp) && strcmp(line, "old\n") == 0);
	CHECK(fp && fgets(line, sizeof(line), fp) && strncmp(line, "wmack1 ", 7) == 0);
	CHECK(fp && fgets(line, sizeof(line), fp) && strstr(line, " 0 2\n") != NULL);
	if (fp)
		fclose(fp);
	unlink(path);
	close(data[0]);
	close(data[1]);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/ack", dir);
	signal(SIGPIPE, SIG_IGN);
	TEST("a writer introduces itself with a base; counts map past it; too many is broken", handshake_and_counts());
	TEST("acks of another stream and garbage are ignored", other_stream_and_garbage_ignored());
	TEST("a new writer is taken only when nothing is in doubt", new_writer_run());
	TEST("a new reader run: the writer follows its FIFO", reader_replaced());
	TEST("a full FIFO never blocks the writer; the last count wins", full_fifo_never_blocks());
	TEST("a regular file: refused by the reader, appended by the writer", files());
	unlink(path);
	rmdir(dir);
	return unit_done();
}
