# The real Apache Kafka broker (tests/kafka/broker.sh) for a bats file: start
# it in setup_file and stop it in teardown_file, not per test (it takes
# seconds to start). See tests/kafka/broker.sh for what broker_start exports.
#
#   broker_topic NAME       create topic NAME (3 partitions, the broker's
#                           default) and wait until it has its leaders
#   broker_conf_tls FILE    write examples/kafka-tls.conf pointed at the SSL
#                           listener and the test certificates
#   broker_conf_scram FILE [PASSWORD]  a -F file for the SASL_SSL listener
#                           (SCRAM-SHA-512); PASSWORD defaults to the right one

# shellcheck source=../kafka/broker.sh
source "$TESTS_DIR/kafka/broker.sh"

_broker_has_topic() {
	kcat -L -b "$BROKER_PLAIN" -t "$1" -m 5 2>/dev/null |
		grep -q "topic \"$1\" with [1-9]"
}

broker_topic() {
	# A metadata request for an unknown topic creates it
	# (auto.create.topics.enable, num.partitions=3).
	wait_until 60 _broker_has_topic "$1"
}

broker_conf_tls() {
	sed -e "s|^bootstrap.servers=.*|bootstrap.servers=$BROKER_SSL|" \
		-e "s|^ssl.ca.location=.*|ssl.ca.location=$BROKER_CA|" \
		-e "s|^ssl.certificate.location=.*|ssl.certificate.location=$BROKER_CERT|" \
		-e "s|^ssl.key.location=.*|ssl.key.location=$BROKER_KEY|" \
		"$ROOT/examples/kafka-tls.conf" >"$1"
}

broker_conf_scram() {
	cat >"$1" <<EOF
bootstrap.servers=$BROKER_SASL
security.protocol=sasl_ssl
ssl.ca.location=$BROKER_CA
sasl.mechanisms=SCRAM-SHA-512
sasl.username=$BROKER_USER
sasl.password=${2:-$BROKER_PASS}
EOF
}
