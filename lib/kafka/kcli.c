/*
 * kcli.c: the command lines of wm-kafka-pub and wm-kafka-sub for lib/cli:
 * usage lines, option lists (the same as their man pages), the librdkafka
 * version, and kcat's flags that one of them does not take.
 */
#include "kafka/kcli.h"

#include <librdkafka/rdkafka.h>

#include "kafka/kcatflags.h"

static void
kafka_versions(FILE *fp)
{
	fprintf(fp, "librdkafka %s\n", rd_kafka_version_str());
}

static const char *
unknown_producer(int c)
{
	return kcatflag_unsupported(c, 1);
}

static const char *
unknown_consumer(int c)
{
	return kcatflag_unsupported(c, 0);
}

const struct cli_prog kafka_pub_cli = {
	.name = "wm-kafka-pub",
	.synopsis =
	    "usage: wm-kafka-pub [-hlPqTVvZ] [-b brokers] -t topic [-c count] [-D delim]\n"
	    "                    [-F file] [-H name[=value]] [-K delim] [-k key] [-m secs]\n"
	    "                    [-p partition] [-X prop=val] [-z codec] [--failed file]\n"
	    "                    [--flush-timeout secs] [--key-field name]\n"
	    "                    [--max-line bytes] [file ...]\n",
	.options =
	    "options:\n"
	    "  -b brokers             bootstrap brokers (default $KAFKA_BROKERS)\n"
	    "  -t topic               the topic\n"
	    "  -c count               stop after reading count lines\n"
	    "  -D delim               split the input at delim, not at newlines\n"
	    "  -F file                librdkafka properties, prop=val lines\n"
	    "  -X prop=val            a librdkafka property (-X list shows them)\n"
	    "  -z codec               compression: none, gzip, snappy, lz4, zstd\n"
	    "  -K delim               key is the text before delim on each line\n"
	    "  -k key                 the key of every message (with -K: of lines\n"
	    "                         without delim)\n"
	    "  -H name[=value]        add a header to every message; may be repeated\n"
	    "  -Z                     send an empty message as null, an empty key as none\n"
	    "  -T                     echo each line read to stdout\n"
	    "  -l                     lines of a file (kcat's flag; always so)\n"
	    "  -m secs                wait this long for the first broker to answer\n"
	    "      --key-field name   key from this member (default url; \"\": none)\n"
	    "  -p partition           send every line to partition (-1: partitioner)\n"
	    "  -P                     produce (kcat's flag; the only mode)\n"
	    "      --failed file      append undelivered lines to file ('-': stdout)\n"
	    "      --flush-timeout secs  wait after a signal for deliveries (10)\n"
	    "      --max-line bytes   longest line read (default 16 MiB)\n"
	    "  -q, --quiet            no progress, undelivered lines not described\n"
	    "  -v, --verbose          stats lines every 10 s and at the end;\n"
	    "                         -vv adds librdkafka's log\n"
	    "  -h, --help             show this help\n"
	    "  -V, --version          show the version and librdkafka's\n",
	.versions = kafka_versions,
	.unknown_opt = unknown_producer,
};

const struct cli_prog kafka_sub_cli = {
	.name = "wm-kafka-sub",
	.synopsis =
	    "usage: wm-kafka-sub [-CehJLquVvZ] [-b brokers] [-c count] [-D delim] [-d list]\n"
	    "                    [-F file] [-f format] [-G group] [-K delim] [-m secs]\n"
	    "                    [-o offset] [-p partition] [-X prop=val] [--ack path]\n"
	    "                    [--drain-timeout secs] [--max-pending lines]\n"
	    "                    -t topic ... [topic ...]\n",
	.options =
	    "options:\n"
	    "  -b brokers          bootstrap brokers (default $KAFKA_BROKERS)\n"
	    "  -t topic            topic to read; may be repeated\n"
	    "  -G group            consumer group: share partitions, commit offsets\n"
	    "  -p partition        read only this partition (no group)\n"
	    "  -m secs             wait this long for the first broker to answer\n"
	    "  -o offset           beginning|end|stored|N|-N|s@ms, e@ms (end)\n"
	    "  -e                  exit at the end of every partition\n"
	    "  -c count            exit after count messages\n"
	    "  -C                  consume (kcat's flag; the default mode)\n"
	    "  -L                  list brokers, topics and partitions, as kcat -L\n"
	    "  -J                  write kcat's JSON envelope instead of the payload\n"
	    "  -f format           write kcat's format: %s %S %R %k %K %t %p %o %T %h\n"
	    "  -K delim            write the key and delim before the payload\n"
	    "  -D delim            end each message with delim, not a newline\n"
	    "  -Z                  write an empty key or payload as NULL\n"
	    "  -u                  unbuffered: write each message at once\n"
	    "  -X prop=val         librdkafka property (-X list shows them,\n"
	    "                      -X dump the configuration)\n"
	    "  -F file             file of prop=val lines\n"
	    "  -d list             librdkafka debug contexts, logged on stderr\n"
	    "  -q                  quiet: no progress line, no Kafka warnings\n"
	    "  -v                  verbose: assignments, stats lines every 10 s\n"
	    "      --ack path      commit only lines the sink acknowledged on path\n"
	    "      --max-pending n  stop fetching at n unacknowledged lines (100000)\n"
	    "      --drain-timeout s  wait this long for acks when stopping (10)\n"
	    "  -h, --help          show this help\n"
	    "  -V, --version       show the version and librdkafka's\n",
	.versions = kafka_versions,
	.unknown_opt = unknown_consumer,
};
