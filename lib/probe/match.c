/* match.c: PCRE2 body matching with JIT and resource limits. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "match.h"

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>

#include "util.h"

/*
 * Limits that stop catastrophic backtracking within a fraction of a second
 * on a 4 MiB body while leaving ordinary patterns alone. The depth limit
 * applies to the interpreter only; JIT code is bounded by its stack.
 */
#define MATCH_LIMIT 5000000
#define DEPTH_LIMIT 100000
#define HEAP_LIMIT_KIB (64 * 1024)
#define JIT_STACK_MAX (1024 * 1024)

struct matcher {
	pcre2_code *code;
	pcre2_match_context *mctx;
	int jit;
};

static void
pcre_error(int rc, const char *what, char *errstr, size_t errsize)
{
	PCRE2_UCHAR msg[256];

	if (pcre2_get_error_message(rc, msg, sizeof(msg)) < 0)
		snprintf((char *)msg, sizeof(msg), "error %d", rc);
	snprintf(errstr, errsize, "%s%s", what, (char *)msg);
}

/* One JIT stack per thread, made on first use, shared by every matcher. */
static _Thread_local pcre2_jit_stack *jit_stack;

static pcre2_jit_stack *
get_jit_stack(void *unused)
{
	if (jit_stack == NULL)
		jit_stack = pcre2_jit_stack_create(32 * 1024, JIT_STACK_MAX, NULL);
	return jit_stack;	/* NULL falls back to the default 32 KiB stack */
}

struct matcher *
matcher_new(const char *pattern, char *errstr, size_t errsize)
{
	struct matcher *m;
	int errcode;
	PCRE2_SIZE erroff;
	PCRE2_UCHAR msg[256];

	m = xcalloc(1, sizeof(*m));
	m->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
	    PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &errcode, &erroff, NULL);
	if (m->code == NULL) {
		pcre2_get_error_message(errcode, msg, sizeof(msg));
		snprintf(errstr, errsize, "bad regex '%s': %s at offset %zu",
		    pattern, (char *)msg, (size_t)erroff);
		free(m);
		return NULL;
	}
	m->mctx = pcre2_match_context_create(NULL);
	if (m->mctx == NULL) {
		snprintf(errstr, errsize, "regex: out of memory");
		matcher_free(m);
		return NULL;
	}
	pcre2_set_match_limit(m->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(m->mctx, DEPTH_LIMIT);
	pcre2_set_heap_limit(m->mctx, HEAP_LIMIT_KIB);
	if (pcre2_jit_compile(m->code, PCRE2_JIT_COMPLETE) == 0) {
		m->jit = 1;
		pcre2_jit_stack_assign(m->mctx, get_jit_stack, NULL);
	}
	return m;
}

int
matcher_exec(const struct matcher *m, const char *subject, size_t len,
    size_t *moff, size_t *mlen, char *errstr, size_t errsize)
{
	pcre2_match_data *md;
	PCRE2_SIZE *ov;
	int rc;

	md = pcre2_match_data_create(1, NULL);
	if (md == NULL) {
		snprintf(errstr, errsize, "regex: out of memory");
		return -1;
	}
	rc = pcre2_match(m->code, (PCRE2_SPTR)(subject ? subject : ""), len, 0,
	    0, md, m->mctx);
	if (rc >= 0) {
		ov = pcre2_get_ovector_pointer(md);
		*moff = ov[0];
		*mlen = ov[1] >= ov[0] ? ov[1] - ov[0] : 0;
		pcre2_match_data_free(md);
		return 1;
	}
	pcre2_match_data_free(md);
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	pcre_error(rc, "regex matching failed: ", errstr, errsize);
	return -1;
}

void
matcher_free(struct matcher *m)
{
	if (m == NULL)
		return;
	pcre2_match_context_free(m->mctx);
	pcre2_code_free(m->code);
	free(m);
}
