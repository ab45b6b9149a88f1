/* kenvelope.c: kcat -J's JSON envelope of a Kafka message (see kenvelope.h). */
#include "kenvelope.h"

#include <string.h>

#include "jsonw.h"

int
kenvelope_line(struct buf *out, const rd_kafka_message_t *m, int json)
{
	if (json) {
		kenvelope_write(out, m);
		return KLINE_WROTE;
	}
	if (m->len == 0)
		return KLINE_EMPTY;
	if (memchr(m->payload, '\n', m->len) != NULL)
		return KLINE_NEWLINE;
	buf_append(out, m->payload, m->len);
	buf_putc(out, '\n');
	return KLINE_WROTE;
}

void
kenvelope_write(struct buf *out, const rd_kafka_message_t *m)
{
	struct jsonw w;
	rd_kafka_timestamp_type_t tstype;
	rd_kafka_headers_t *hdrs;
	int64_t ts = rd_kafka_message_timestamp(m, &tstype);

	jsonw_init(&w, out);
	jsonw_obj_begin(&w);
	jsonw_key(&w, "topic");
	jsonw_str(&w, rd_kafka_topic_name(m->rkt));
	jsonw_key(&w, "partition");
	jsonw_int(&w, m->partition);
	jsonw_key(&w, "offset");
	jsonw_int(&w, m->offset);
	if (tstype != RD_KAFKA_TIMESTAMP_NOT_AVAILABLE) {
		jsonw_key(&w, "tstype");
		jsonw_str(&w, tstype == RD_KAFKA_TIMESTAMP_CREATE_TIME ? "create" :
		    tstype == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME ? "logappend" :
		    "unknown");
		jsonw_key(&w, "ts");
		jsonw_int(&w, ts);
	}
	jsonw_key(&w, "broker");
	jsonw_int(&w, rd_kafka_message_broker_id(m));
	if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
		const char *name;
		const void *val;
		size_t size, idx = 0;

		jsonw_key(&w, "headers");
		jsonw_arr_begin(&w);
		while (rd_kafka_header_get_all(hdrs, idx++, &name, &val, &size) ==
		    RD_KAFKA_RESP_ERR_NO_ERROR) {
			jsonw_str(&w, name);
			jsonw_strn(&w, val, size);
		}
		jsonw_arr_end(&w);
	}
	jsonw_key(&w, "key");
	jsonw_strn(&w, m->key, m->key_len);
	jsonw_key(&w, "payload");
	jsonw_strn(&w, m->payload, m->len);
	jsonw_obj_end(&w);
	buf_putc(out, '\n');
}
