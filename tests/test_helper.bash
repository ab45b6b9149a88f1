# Shared setup for every bats file: paths, a private temp area, small waits.
bats_require_minimum_version 1.5.0

TESTS_DIR="$(cd "$(dirname "$BATS_TEST_FILENAME")" && pwd)"
ROOT="$(dirname "$TESTS_DIR")"
FIXTURES="$TESTS_DIR/fixtures"
export PATH="$ROOT:$FIXTURES:$PATH"
export LC_ALL=C.UTF-8
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy no_proxy NO_PROXY

# A TCP port on 127.0.0.1 that was free a moment ago.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_until TIMEOUT_S CMD...: run CMD every 0.1 s until it succeeds; fail after TIMEOUT_S.
wait_until() {
	local deadline=$(( $(date +%s) + $1 )); shift
	until "$@"; do
		if [ "$(date +%s)" -ge "$deadline" ]; then
			echo "timed out waiting for: $*" >&2
			return 1
		fi
		sleep 0.1
	done
}

# Fail the test with a message.
flunk() {
	echo "$@" >&2
	return 1
}
