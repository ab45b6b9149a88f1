#!/usr/bin/env bats
# make install and make uninstall into a staging directory (DESTDIR), as a
# packager runs them.

load test_helper

@test "make install: programs, manual pages, sql/, examples and units land under PREFIX; uninstall removes them" {
	local d="$BATS_TEST_TMPDIR/stage" p f
	run make -C "$ROOT" install DESTDIR="$d" PREFIX=/usr SYSTEMDUNITDIR=/lib/systemd/system
	[ "$status" -eq 0 ] || flunk "$output"
	for p in wm-probe wm-kafka-pub wm-kafka-sub wm-pg-copy wm-state wm-notify wm-page; do
		[ -x "$d/usr/bin/$p" ] || flunk "no $p"
		"$d/usr/bin/$p" -V >/dev/null || flunk "$p -V failed"
		[ -f "$d/usr/share/man/man1/$p.1" ] || flunk "no $p.1"
	done
	[ -f "$d/usr/share/man/man7/webmon.7" ]
	for f in "$ROOT"/sql/*.sql; do
		cmp "$f" "$d/usr/share/webmon/sql/${f##*/}" || flunk "sql/${f##*/} not installed"
	done
	cmp "$ROOT/examples/sites.txt" "$d/usr/share/doc/webmon/examples/sites.txt"
	for f in "$ROOT"/examples/systemd/*.service; do
		cmp "$f" "$d/lib/systemd/system/${f##*/}" || flunk "unit ${f##*/} not installed"
	done
	run make -C "$ROOT" uninstall DESTDIR="$d" PREFIX=/usr SYSTEMDUNITDIR=/lib/systemd/system
	[ "$status" -eq 0 ] || flunk "$output"
	run find "$d" -type f
	[ -z "$output" ] || flunk "left behind: $output"
}
