/* result.c: writing result records. */
#include "result.h"

#include <string.h>

#include "jsonw.h"
#include "timeutil.h"
#include "utf8.h"

static void
ms_or_null(struct jsonw *w, const char *key, double ms)
{
	jsonw_key(w, key);
	jsonw_ms(w, ms);
}

void
result_format(struct buf *b, const struct result *r)
{
	struct jsonw w;
	char ts[40];
	size_t mlen;

	jsonw_init(&w, b);
	jsonw_obj_begin(&w);
	jsonw_key(&w, "id");
	jsonw_str(&w, r->id);
	fmt_rfc3339_us(ts, sizeof(ts), r->ts_us);
	jsonw_key(&w, "ts");
	jsonw_str(&w, ts);
	jsonw_key(&w, "url");
	jsonw_str(&w, r->url);
	jsonw_key(&w, "name");
	jsonw_str(&w, r->name);
	jsonw_key(&w, "method");
	jsonw_str(&w, r->method);
	jsonw_key(&w, "ok");
	jsonw_bool(&w, r->ok);
	jsonw_key(&w, "status");
	if (r->status < 0)
		jsonw_null(&w);
	else
		jsonw_int(&w, r->status);
	jsonw_key(&w, "error");
	jsonw_str(&w, r->error);
	jsonw_key(&w, "detail");
	jsonw_str(&w, r->detail);
	jsonw_key(&w, "degraded");
	jsonw_str(&w, r->degraded);
	ms_or_null(&w, "time_ms", r->time_ms);
	ms_or_null(&w, "dns_ms", r->dns_ms);
	ms_or_null(&w, "connect_ms", r->connect_ms);
	ms_or_null(&w, "tls_ms", r->tls_ms);
	ms_or_null(&w, "wait_ms", r->wait_ms);
	ms_or_null(&w, "transfer_ms", r->transfer_ms);
	jsonw_key(&w, "bytes");
	jsonw_int(&w, r->bytes);
	jsonw_key(&w, "ip");
	jsonw_str(&w, r->ip && *r->ip ? r->ip : NULL);
	jsonw_key(&w, "http_version");
	jsonw_str(&w, r->http_version);
	jsonw_key(&w, "tls_version");
	jsonw_str(&w, r->tls_version && *r->tls_version ? r->tls_version : NULL);
	jsonw_key(&w, "regex");
	jsonw_str(&w, r->regex);
	jsonw_key(&w, "match");
	if (r->match < 0)
		jsonw_null(&w);
	else
		jsonw_bool(&w, r->match);
	jsonw_key(&w, "matched");
	if (r->matched == NULL)
		jsonw_null(&w);
	else {
		mlen = utf8_cut(r->matched, r->matched_len, RESULT_MATCH_MAX);
		jsonw_strn(&w, r->matched, mlen);
	}
	jsonw_key(&w, "cert_expiry");
	jsonw_str(&w, r->cert_expiry);
	jsonw_key(&w, "probe");
	jsonw_str(&w, r->probe);
	jsonw_key(&w, "tags");
	if (r->tags_json == NULL)
		jsonw_null(&w);
	else
		jsonw_raw(&w, r->tags_json, strlen(r->tags_json));
	jsonw_obj_end(&w);
	buf_putc(b, '\n');
}
