#!/usr/bin/env bats
# The command line every program shares (lib/cli.c): one usage-error format,
# one bad-number message, --help with every option the man page lists, -V
# naming the libraries linked; and the progress line on a terminal.

load test_helper

# The programs of the Makefile's PROGS (every line that sets or adds to it).
progs() {
	awk '/^PROGS[ \t]*[+:]?=/ { f = 1; sub(/^PROGS[ \t]*[+:]?=/, "") }
		f { c = sub(/\\$/, ""); print; if (!c) f = 0 }' "$ROOT/Makefile" |
		tr -s ' \t' '\n' | grep .
}

# Options of PROG: from its --help (help) or its man page (man).
help_opts() {
	"$1" --help | python3 "$TESTS_DIR/helpers/cliopts.py" help
}
man_opts() {
	python3 "$TESTS_DIR/helpers/cliopts.py" man "$ROOT/man/$1.1"
}

@test "cli: every program is built and has a man page" {
	run progs
	[ "${#lines[@]}" -ge 4 ]
	for p in $(progs); do
		command -v "$p" >/dev/null || flunk "$p is not built"
		[ -f "$ROOT/man/$p.1" ] || flunk "no man/$p.1"
	done
}

@test "cli: an unknown option is 'prog: unknown option' and the usage on stderr, exit 2" {
	for p in $(progs); do
		for opt in --no-such-option -@; do
			run -2 --separate-stderr "$p" "$opt" </dev/null
			[ -z "$output" ] || flunk "$p $opt wrote to stdout: $output"
			[ "${stderr_lines[0]}" = "$p: unknown option '$opt'" ] ||
				flunk "$p $opt: ${stderr_lines[0]}"
			[[ "${stderr_lines[1]}" == "usage: $p "* ]] ||
				flunk "$p $opt: no usage line: $stderr"
		done
	done
}

@test "cli: a missing argument and an argument to a flag are usage errors in the same format" {
	for p in $(progs); do
		run -2 --separate-stderr "$p" --help=x
		[ "${stderr_lines[0]}" = "$p: option '--help' takes no argument" ] ||
			flunk "$p --help=x: ${stderr_lines[0]}"
		[[ "${stderr_lines[1]}" == "usage: $p "* ]]
		# The last option of the help text that takes an argument.
		opt=$("$p" --help | grep -E '^ {2,6}-' | sed -nE 's/^ +(-[A-Za-z0-9], )?(-[-A-Za-z0-9]+) [A-Za-z].*/\2/p' | tail -1)
		[ -n "$opt" ] || flunk "$p: no option with an argument in --help"
		run -2 --separate-stderr "$p" "$opt"
		[ "${stderr_lines[0]}" = "$p: option '$opt' needs an argument" ] ||
			flunk "$p $opt: ${stderr_lines[0]}"
		[[ "${stderr_lines[1]}" == "usage: $p "* ]]
	done
}

# A numeric option of each program; a new program gets a line here.
numeric_opt() {
	case $1 in
	wm-probe) echo "-c --timeout --max-body --interval --stats-interval" ;;
	wm-kafka-pub) echo "-c -m -p --flush-timeout --max-line" ;;
	wm-kafka-sub) echo "-c -m --max-pending --drain-timeout" ;;
	wm-pg-copy) echo "-n -T --max-line --stats-interval" ;;
	wm-state) echo "--fail --success --degrade --quorum --stale --save-interval --max-line --stats-interval" ;;
	wm-notify) echo "--retry-for --timeout --group-wait --max-line" ;;
	wm-page) echo "--since" ;;
	*) echo "" ;;
	esac
}

@test "cli: a bad number in any numeric option is the one shared message" {
	for p in $(progs); do
		opts=$(numeric_opt "$p")
		[ -n "$opts" ] || flunk "$p: add its numeric options to numeric_opt in tests/cli.bats"
		for opt in $opts; do
			for bad in x1 -5 1e999999 ''; do
				run -2 --separate-stderr "$p" "$opt" "$bad" </dev/null
				[[ "${stderr_lines[0]}" =~ ^$p:\ $opt\ \'.*\':\ bad\ number,\ want\ .+$ ]] ||
					flunk "$p $opt '$bad': ${stderr_lines[0]}"
				[[ "${stderr_lines[1]}" == "usage: $p "* ]]
			done
		done
	done
}

@test "cli: no option rejects a number in a message of its own" {
	# Every option that takes an argument, given one that is no number:
	# a complaint about a number uses the shared message.
	for p in $(progs); do
		for opt in $(help_opts "$p"); do
			run --separate-stderr "$p" "$opt" 'x!' --no-such-option </dev/null
			first=${stderr_lines[0]-}
			if [[ "$first" =~ (number|count|seconds|bytes|millisec|integer) ]]; then
				[[ "$first" =~ ^$p:\ -.*\ \'x!\':\ bad\ number,\ want\ .+$ ]] ||
					flunk "$p $opt: $first"
			fi
		done
	done
}

@test "cli: --help prints the complete usage on stdout and exits 0" {
	for p in $(progs); do
		run -0 --separate-stderr "$p" --help
		[ -z "$stderr" ] || flunk "$p --help wrote to stderr: $stderr"
		[[ "${lines[0]}" == "usage: $p "* ]] || flunk "$p --help: ${lines[0]}"
		[[ "$output" == *"--help"* && "$output" == *"--version"* ]] ||
			flunk "$p --help does not list --help and --version"
	done
}

@test "cli: --help lists the same options as the man page's SYNOPSIS and option list" {
	bad=0
	for p in $(progs); do
		help_opts "$p" >"$BATS_TEST_TMPDIR/help"
		man_opts "$p" >"$BATS_TEST_TMPDIR/man"
		[ -s "$BATS_TEST_TMPDIR/help" ] || flunk "$p: no options parsed from --help"
		if ! diff "$BATS_TEST_TMPDIR/help" "$BATS_TEST_TMPDIR/man" >"$BATS_TEST_TMPDIR/d"; then
			echo "$p: < only in --help, > only in man/$p.1:"
			cat "$BATS_TEST_TMPDIR/d"
			bad=1
		fi
	done
	[ "$bad" -eq 0 ]
}

@test "cli: the usage lines and the option list agree, in --help and in the man page" {
	bad=0
	for p in $(progs); do
		"$p" --help >"$BATS_TEST_TMPDIR/text"
		for src in help man; do
			if [ $src = help ]; then
				opts() { python3 "$TESTS_DIR/helpers/cliopts.py" help "$1" <"$BATS_TEST_TMPDIR/text"; }
			else
				opts() { python3 "$TESTS_DIR/helpers/cliopts.py" man "$ROOT/man/$p.1" "$1"; }
			fi
			opts usage >"$BATS_TEST_TMPDIR/usage"
			opts list >"$BATS_TEST_TMPDIR/list"
			# Every option of the usage lines is described ...
			missing=$(comm -23 "$BATS_TEST_TMPDIR/usage" "$BATS_TEST_TMPDIR/list")
			# ... and every short option described is in the usage lines.
			unshown=$(comm -13 "$BATS_TEST_TMPDIR/usage" "$BATS_TEST_TMPDIR/list" | grep -v '^--' || true)
			if [ -n "$missing$unshown" ]; then
				echo "$p ($src): not described: $missing; not in the usage: $unshown"
				bad=1
			fi
		done
	done
	[ "$bad" -eq 0 ]
}

@test "cli: every option --help lists is accepted, and every short option accepted is listed" {
	for p in $(progs); do
		help_opts "$p" >"$BATS_TEST_TMPDIR/help"
		while read -r opt; do
			# A value glued to the option, then a sure error: nothing runs.
			if [[ "$opt" == --* ]]; then
				run --separate-stderr "$p" "$opt=@" --no-such-option </dev/null
			else
				run --separate-stderr "$p" "$opt@" --no-such-option </dev/null
			fi
			[[ "$stderr" != *"unknown option '$opt'"* ]] ||
				flunk "$p: $opt is in --help but not accepted"
		done <"$BATS_TEST_TMPDIR/help"
		for c in {a..z} {A..Z} {0..9} '?'; do
			run --separate-stderr "$p" "-$c@" --no-such-option </dev/null
			# Refused as unknown, or with a message of its own (kcat's
			# flags that wm-kafka-pub or wm-kafka-sub does not take).
			[[ "$stderr" == *"unknown option '-$c'"* ]] && continue
			[[ "${stderr_lines[0]}" == "$p: "*"-$c is not supported"* ]] && continue
			grep -qxF -- "-$c" "$BATS_TEST_TMPDIR/help" ||
				flunk "$p accepts -$c but --help does not list it"
		done
	done
}

@test "cli: -V and --version name the program and every outside library it links" {
	for p in $(progs); do
		for v in -V --version; do
			run -0 --separate-stderr "$p" "$v"
			[[ "${lines[0]}" == "$p webmon-"* ]] || flunk "$p $v: ${lines[0]}"
			libs=$(ldd "$(command -v "$p")" | awk '{ print $1 }')
			for pair in libcurl:libcurl/ librdkafka:librdkafka libpq:libpq \
				libpcre2-8:PCRE2 libjansson:jansson; do
				lib=${pair%%:*} name=${pair#*:}
				grep -q "^$lib\.so" <<<"$libs" || continue
				[[ "$output" == *"$name"* ]] || flunk "$p $v does not name $name: $output"
			done
		done
	done
}

@test "cli: results on a terminal never share a line with the progress line" {
	command -v script >/dev/null || skip "script(1) is not installed"
	load helpers/http
	http_start
	for i in 1 2 3 4; do echo "$HTTP_URL/delay/400?i=$i"; done >"$BATS_TEST_TMPDIR/sites"
	# stdout and stderr both on the terminal script(1) provides.
	run -0 script -qfec "wm-probe -c 1 '$BATS_TEST_TMPDIR/sites'" "$BATS_TEST_TMPDIR/typescript"
	http_stop
	python3 - "$BATS_TEST_TMPDIR/typescript" >"$BATS_TEST_TMPDIR/screen" <<-'PY'
	import sys
	raw = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
	# The typescript's header and footer lines are not the program's.
	lines, cur, col, i = [], [], 0, 0
	while i < len(raw):
	    ch = raw[i]
	    if raw.startswith("\x1b[K", i):
	        del cur[col:]
	        i += 3
	        continue
	    if ch == "\r":
	        col = 0
	    elif ch == "\n":
	        lines.append("".join(cur))
	        cur, col = [], 0
	    else:
	        if col < len(cur):
	            cur[col] = ch
	        else:
	            cur.append(ch)
	        col += 1
	    i += 1
	lines.append("".join(cur))
	for l in lines:
	    print(l)
	PY
	cat "$BATS_TEST_TMPDIR/screen"
	# The progress line was there, and every result is a line of its own.
	grep -q 'probed, ' "$BATS_TEST_TMPDIR/typescript"
	[ "$(grep -c '^{"id":' "$BATS_TEST_TMPDIR/screen")" -eq 4 ]
	run grep -c 'probed.*{\|}.*probed' "$BATS_TEST_TMPDIR/screen"
	[ "$output" -eq 0 ]
}
