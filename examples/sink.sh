#!/bin/sh
# Kafka to PostgreSQL with no loss and no duplicates: wm-pg-copy acknowledges
# the lines it has committed on a FIFO, and wm-kafka-sub commits Kafka
# offsets only for acknowledged lines. Kill either at any time and start
# this again: unacknowledged lines are read again, and --key id keeps them
# from being stored twice.
#
# usage: sink.sh [brokers [topic [group [table]]]]   (PG* variables for PostgreSQL)
set -eu
brokers=${1:-${KAFKA_BROKERS:-localhost:9092}}
topic=${2:-webmon}
group=${3:-webmon-sink}
table=${4:-wm_results}
dir=${RUNTIME_DIRECTORY:-${TMPDIR:-/tmp}/webmon-sink.$$}

mkdir -p "$dir"
ack=$dir/ack
[ -p "$ack" ] || mkfifo "$ack"
trap 'rm -f "$ack"' EXIT

wm-kafka-sub -b "$brokers" -t "$topic" -G "$group" --ack "$ack" -v |
	wm-pg-copy -t "$table" --key id --ack "$ack" -v
