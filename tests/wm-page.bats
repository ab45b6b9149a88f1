#!/usr/bin/env bats
# wm-page against a real PostgreSQL: five sites' results loaded through
# wm-pg-copy (tests/fixtures/wm-page/gen.py), the page written once, then
# read back by headless Chromium (its DOM and a screenshot), tidy, xmllint,
# w3m and jq. Screenshots stay in $WM_PAGE_SHOTS when it is set.

load test_helper
load helpers/pg

# The five sites of gen.py: label (name, else url) and expected state.
LABELS=("API" "Shop" "http://blog.example.test/" "<script>\"'&" "New")
EVIL="<script>\"'&"

# Headless Chromium with a throwaway profile; extra arguments follow.
chrome() {
	chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --hide-scrollbars \
		--user-data-dir="$BATS_FILE_TMPDIR/chrome" "$@" 2>/dev/null
}

# xp FILE XPATH: evaluate XPATH on an HTML file (libxml2's HTML parser
# knows no HTML5 tags and says so on stderr; it parses them all the same).
xp() {
	xmllint --html --xpath "$2" "$1" 2>/dev/null
}

setup_file() {
	pg_start
	pq -f "$ROOT/sql/schema.sql" -f "$ROOT/sql/views.sql"
	# wm_events (wm-state) where this tree has it: incidents come from it.
	[ ! -f "$ROOT/sql/events.sql" ] || pq -f "$ROOT/sql/events.sql"
	NOW=$(pq -c 'SELECT floor(extract(epoch FROM now()))::bigint')
	python3 "$FIXTURES/wm-page/gen.py" "$NOW" >"$BATS_FILE_TMPDIR/results.ndjson"
	wm-pg-copy -t wm_results --key id <"$BATS_FILE_TMPDIR/results.ndjson"
	OUT="$BATS_FILE_TMPDIR/www/status"
	mkdir -p "$BATS_FILE_TMPDIR/www"
	wm-page -o "$OUT" --group team --title "Example status"
	SHOTS=${WM_PAGE_SHOTS:-$BATS_FILE_TMPDIR}
	mkdir -p "$SHOTS"
	chrome --dump-dom "file://$OUT/index.html" >"$BATS_FILE_TMPDIR/index.dom"
	chrome --dump-dom "file://$OUT/site/shop-example-test.html" \
		>"$BATS_FILE_TMPDIR/shop.dom"
	chrome --window-size=1100,1500 --screenshot="$SHOTS/index.png" \
		"file://$OUT/index.html" >/dev/null
	chrome --window-size=1100,2000 --screenshot="$SHOTS/site.png" \
		"file://$OUT/site/blog-example-test.html" >/dev/null
	chrome --window-size=420,1500 --screenshot="$SHOTS/narrow.png" \
		"file://$OUT/index.html" >/dev/null
	export NOW OUT SHOTS
}

teardown_file() {
	pg_stop
}

@test "--help and -? print the usage on stdout; -V the version" {
	run -0 --separate-stderr wm-page --help
	[[ "$output" == usage:\ wm-page* ]] && [[ "$output" == *--dbname* ]]
	run -0 --separate-stderr wm-page '-?'
	[[ "$output" == usage:\ wm-page* ]]
	run -0 wm-page -V
	[[ "$output" == "wm-page webmon-"* ]]
}

@test "misuse exits 2 with one message" {
	run -2 --separate-stderr wm-page
	[[ "$stderr" == *"wm-page: -o DIR is required"* ]]
	run -2 --separate-stderr wm-page -o x --since 0d
	[[ "$stderr" == *"--since"* ]]
	run -2 --separate-stderr wm-page -o x -Z
	[[ "$stderr" == *"unknown option"* ]]
	run -2 --separate-stderr wm-page -o x extra
	[[ "$stderr" == *"unexpected argument"* ]]
}

@test "a server that cannot be reached: exit 1, prog: what: why, nothing written" {
	mkdir "$BATS_TEST_TMPDIR/w"
	run -1 --separate-stderr wm-page -h "$BATS_TEST_TMPDIR/nosuch" -o "$BATS_TEST_TMPDIR/w/out"
	[[ "$stderr" == "wm-page: connect: "* ]]
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/w")" ] || flunk "left: $(ls -A "$BATS_TEST_TMPDIR/w")"
}

@test "a database without the schema: exit 1 naming the missing table" {
	pq -c 'CREATE DATABASE bare'
	run -1 --separate-stderr wm-page -d bare -o "$BATS_TEST_TMPDIR/out"
	[ "$stderr" = 'wm-page: read wm_latest: relation "wm_latest" does not exist' ]
	[ ! -e "$BATS_TEST_TMPDIR/out" ]
}

@test "psql's connection flags: -h -p -U -d, and -d as conninfo or URI" {
	wm-page -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d "$PGDATABASE" \
		-o "$BATS_TEST_TMPDIR/a"
	PGHOST= PGPORT= PGDATABASE= wm-page \
		-d "host=$PGHOST port=$PGPORT dbname=$PGDATABASE" -o "$BATS_TEST_TMPDIR/b"
	PGHOST= PGDATABASE= wm-page \
		-d "postgresql:///$PGDATABASE?host=$PGHOST&port=$PGPORT" -o "$BATS_TEST_TMPDIR/c"
	local d
	for d in a b c; do
		run -0 jq -e '.sites | length == 5' "$BATS_TEST_TMPDIR/$d/status.json"
	done
}

@test "every file is there: index, a page and a badge per site, status.json, SLA per month" {
	[ -s "$OUT/index.html" ] && [ -s "$OUT/status.json" ]
	run -0 jq -r '.sites[].page' "$OUT/status.json"
	[ "${#lines[@]}" -eq 5 ]
	local p
	for p in "${lines[@]}"; do
		[ -s "$OUT/$p" ] || flunk "missing $p"
		[ -s "$OUT/badge/$(basename "$p" .html).svg" ] || flunk "no badge for $p"
	done
	# Data goes back 100 days: the months of the last 90 days, and no other.
	first=$(pq -c "SELECT to_char(date_trunc('day', now(), 'UTC') - interval '89 days', 'YYYY-MM')")
	last=$(pq -c "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM')")
	[ -s "$OUT/sla/$first.csv" ] && [ -s "$OUT/sla/$last.csv" ]
	run -0 ls "$OUT/sla"
	[ "${#lines[@]}" -le 4 ]
	# Nothing but the page: no script, no outside asset, no temp dir left.
	local outside='<script|<link|@import|@font-face|url\(["'"'"']?(https?:|//)|https?://[^"]*\.(css|js|woff)'
	run ! grep -rlE --include='*.html' --include='*.svg' "$outside" "$OUT"
	[ "$(ls -A "$BATS_FILE_TMPDIR/www")" = status ]
}

@test "DOM in Chromium: one row per site with its state as text, 90 bars each" {
	dom="$BATS_FILE_TMPDIR/index.dom"
	[ "$(xp "$dom" 'count(//tr[contains(@class,"site")])')" -eq 5 ]
	[ "$(xp "$dom" 'count(//table[@class="bars"])')" -eq 5 ]
	local i label state want
	for i in 1 2 3 4 5; do
		row="(//tr[contains(@class,'site')])[$i]"
		# The bars are in the row under the site's, the card's whole width.
		days="$row/following-sibling::tr[1][@class='days']"
		[ "$(xp "$dom" "count($days//table[@class='bars']//td)")" -eq 90 ] ||
			flunk "row $i: not 90 bars"
		# The bars' text alternative is there, in words.
		[[ "$(xp "$dom" "string($days//p[@class='alt'])")" == *"uptime in 90 days"* ]]
		label=$(xp "$dom" "string($row/th/a)")
		state=$(xp "$dom" "string($row//span[contains(@class,'pill')])")
		case $label in
		Shop) want=Down ;;
		*) want=Up ;;
		esac
		[ "$state" = "$want" ] || flunk "$label: state '$state', want $want"
	done
	# Groups by the team tag, the untagged site last; the open incident first.
	run -0 xp "$dom" '//h2'
	[[ "$output" == *"Open incidents"*core*shop*Other* ]]
	[[ "$(xp "$dom" 'string(//ul[contains(@class,"inc")])')" == *Down*Shop* ]]
	# The blog's bad days: a red bar for the day of the connect failures.
	[ "$(xp "$dom" 'count(//tr[.//a="http://blog.example.test/"]/following-sibling::tr[1]//td[@class="d"])')" -ge 1 ]
	# The new site has 87 days without data, shown as such.
	[ "$(xp "$dom" 'count(//tr[.//a="New"]/following-sibling::tr[1]//td[@class="n"])')" -eq 87 ]
}

@test "site page in Chromium: state, stats, two latency charts, incidents, last errors" {
	dom="$BATS_FILE_TMPDIR/shop.dom"
	[ "$(xp "$dom" 'string(//div[contains(@class,"banner")]//span[contains(@class,"pill")])')" = Down ]
	[ "$(xp "$dom" 'count(//*[local-name()="svg" and contains(@class,"chart")])')" -eq 2 ]
	# Each chart has a p95 and a p50 line with points.
	[ "$(xp "$dom" 'count(//*[local-name()="path" and @class="p95" and string-length(@d) > 20])')" -eq 2 ]
	[ "$(xp "$dom" 'count(//*[local-name()="path" and @class="p50" and string-length(@d) > 20])')" -eq 2 ]
	[ "$(xp "$dom" 'count(//h3[@id="errors"]/following-sibling::table//tbody/tr)')" -ge 3 ]
	[[ "$(xp "$dom" 'string(//h3[@id="errors"]/following-sibling::table)')" == *503* ]]
	# The shop's outage is open: an incident without an end.
	[[ "$(xp "$dom" 'string(//h3[@id="incidents"]/..)')" == *status* ]]
	[ "$(xp "$dom" 'count(//table[@class="bars"]//td)')" -eq 90 ]
	# Days and hours without results are gaps, never points at 0 ms (the
	# chart's bottom line is at y 176): the new site's lines start late.
	local page
	for page in "$OUT"/site/*.html; do
		[ "$(xp "$page" 'count(//*[local-name()="path" and contains(@d, " 176.0")])')" -eq 0 ] ||
			flunk "$page: a latency of 0 ms drawn"
	done
	run -0 xp "$OUT/site/new-example-test.html" 'string((//*[local-name()="path" and @class="p50"])[2]/@d)'
	[[ "$output" == M6[0-9][0-9]* || "$output" == M7[0-9][0-9]* ]] || flunk "$output"
}

@test "screenshots are PNG images of the rendered pages" {
	local f
	for f in index site narrow; do
		run -0 file "$SHOTS/$f.png"
		[[ "$output" == *"PNG image data, "* ]] || flunk "$output"
		[ "$(stat -c %s "$SHOTS/$f.png")" -gt 20000 ]
	done
}

@test "every link and image of every page resolves to a file" {
	local page ref n=0
	for page in "$OUT/index.html" "$OUT"/site/*.html; do
		while read -r ref; do
			case $ref in http://* | https://*) continue ;; esac
			ref=${ref%%#*}
			[ -n "$ref" ] || continue
			[ -f "$(dirname "$page")/$ref" ] || flunk "$page: $ref does not resolve"
			n=$((n + 1))
		done < <(xp "$page" '//a/@href | //img/@src' | sed -E 's/^ *(href|src)="([^"]*)"$/\2/')
	done
	[ "$n" -ge 15 ]
}

@test "tidy finds no errors in any page" {
	local page
	for page in "$OUT/index.html" "$OUT"/site/*.html; do
		run tidy -e -q "$page"
		[ "$status" -lt 2 ] || flunk "$page: $output"
		[[ "$output" != *Error:* ]] || flunk "$page: $output"
	done
}

@test "badges are valid SVG with the state and 30-day uptime" {
	local b
	for b in "$OUT"/badge/*.svg; do
		run -0 xmllint --noout "$b"
		[ "$(xmllint --xpath 'namespace-uri(/*)' "$b")" = "http://www.w3.org/2000/svg" ]
	done
	run -0 xmllint --xpath 'string(//*[local-name()="title"])' "$OUT/badge/shop-example-test.svg"
	[[ "$output" == "Shop: Down · "*"% (30-day uptime)" ]]
	run -0 xmllint --xpath 'string(//*[local-name()="title"])' "$OUT/badge/api-example-test-health.svg"
	[ "$output" = "API: Up · 100.00% (30-day uptime)" ]
}

@test "status.json: states, uptime, certificate, grouped sites" {
	run -0 jq -e --arg evil "$EVIL" '
		(.sites | length == 5) and
		(.sites[] | select(.name == "Shop") | .state == "down" and
			.error == "status" and .open_incidents >= 0 and
			.cert_expiry != null and .probes == 1) and
		(.sites[] | select(.name == "API") | .state == "up" and
			.uptime_30d == 100 and .group == "core") and
		(.sites[] | select(.url == "http://blog.example.test/") |
			.uptime_90d < 100 and .cert_expiry == null) and
		(.sites[] | select(.name == $evil) | .group == null)' "$OUT/status.json"
	# Without events a state is dated from the rollups: the API never
	# failed, so since the first day shown; the new site since its first
	# hour of results.
	day0=$(pq -c "SELECT to_char(date_trunc('day', now(), 'UTC') - interval '89 days',
		'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")
	hour0=$(pq -c "SELECT to_char(date_trunc('hour', min(ts), 'UTC') AT TIME ZONE 'UTC',
		'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM wm_results
		WHERE url = 'https://new.example.test/'")
	run -0 jq -r '.sites[] | select(.name == "API" or .name == "New") | .since' "$OUT/status.json"
	[ "${lines[0]}" = "$day0" ] && [ "${lines[1]}" = "$hour0" ] ||
		flunk "since: ${lines[*]}, want $day0 $hour0"
}

@test "SLA CSV equals wm_uptime('month', ...) over the raw results" {
	cat "$OUT"/sla/*.csv | tr -d '\r' | grep -v '^month,' >"$BATS_TEST_TMPDIR/got.csv"
	pq --csv -t -c "
		SELECT to_char(u.bucket AT TIME ZONE 'UTC', 'YYYY-MM'), u.url, l.name,
		       u.probe, u.checks, u.ups, u.uptime_pct
		FROM wm_uptime('month', '-infinity', 'infinity', 'UTC') u
		JOIN wm_latest l USING (url, probe)
		WHERE u.bucket >= date_trunc('month',
			date_trunc('day', now(), 'UTC') - interval '89 days', 'UTC')
		ORDER BY 1, u.url COLLATE \"C\", u.probe COLLATE \"C\"" \
		>"$BATS_TEST_TMPDIR/want.csv"
	[ -s "$BATS_TEST_TMPDIR/want.csv" ]
	diff -u "$BATS_TEST_TMPDIR/want.csv" "$BATS_TEST_TMPDIR/got.csv"
	# One header per file.
	run -0 head -1 "$(ls "$OUT"/sla/*.csv | head -1)"
	[ "$output" = $'month,url,name,probe,checks,ups,uptime_pct\r' ]
}

@test "a name with <script> and quotes is escaped in HTML, SVG, JSON and CSV" {
	run ! grep -rl '<script' "$OUT" --include='*.html' --include='*.svg'
	grep -q '&lt;script&gt;&quot;&#39;&amp;' "$OUT/index.html"
	# Chromium reads the name back as the text it is.
	[ "$(xp "$BATS_FILE_TMPDIR/index.dom" "string(//tr[contains(@class,'site')]/th/a[contains(., 'script')])")" = "$EVIL" ]
	slug=$(jq -r --arg e "$EVIL" '.sites[] | select(.name == $e) | .page' "$OUT/status.json")
	[ "$(xp "$OUT/$slug" 'string(//h1)')" = "$EVIL" ]
	[ "$(xp "$OUT/$slug" 'string(//title)')" = "$EVIL · Example status" ]
	badge="$OUT/badge/$(basename "$slug" .html).svg"
	run -0 xmllint --xpath 'string(//*[local-name()="text"][1])' "$badge"
	[ "$output" = "$EVIL" ]
	# The url's & in an attribute is escaped too.
	grep -q 'href="https://evil.example.test/?a=1&amp;b=2"' "$OUT/$slug"
	grep -q '^2[0-9-]*,https://evil.example.test/?a=1&b=2,"<script>""'"'"'&",p1,' "$OUT"/sla/*.csv
}

@test "w3m -dump shows every site and its state" {
	w3m -dump -cols 160 "$OUT/index.html" >"$BATS_TEST_TMPDIR/index.txt"
	local l
	for l in "${LABELS[@]}"; do
		grep -qF -- "$l" "$BATS_TEST_TMPDIR/index.txt" || flunk "no $l in the text dump"
	done
	[ "$(grep -c ' Up ' "$BATS_TEST_TMPDIR/index.txt")" -ge 4 ]
	grep -q 'Down 1 of 5 sites down' "$BATS_TEST_TMPDIR/index.txt"
	for page in "$OUT"/site/*.html; do
		w3m -dump -cols 160 "$page" >"$BATS_TEST_TMPDIR/site.txt"
		grep -qE '^(Up|Down|Degraded|No data) ' "$BATS_TEST_TMPDIR/site.txt" ||
			flunk "$page: no state in the text dump"
	done
	w3m -dump -cols 160 "$OUT/site/shop-example-test.html" >"$BATS_TEST_TMPDIR/shop.txt"
	grep -q '^Down Down for ' "$BATS_TEST_TMPDIR/shop.txt"
}

@test "a second run replaces the whole directory; a foreign directory is never replaced" {
	dir="$BATS_TEST_TMPDIR/out"
	wm-page -o "$dir"
	touch "$dir/site/gone.html"
	inode=$(stat -c %i "$dir")
	wm-page -o "$dir"
	[ ! -e "$dir/site/gone.html" ] && [ -s "$dir/index.html" ]
	[ "$(stat -c %i "$dir")" != "$inode" ]
	[ "$(ls -A "$BATS_TEST_TMPDIR")" = out ]
	# An empty directory is taken, one with other files is not.
	mkdir "$BATS_TEST_TMPDIR/empty" "$BATS_TEST_TMPDIR/mine"
	wm-page -o "$BATS_TEST_TMPDIR/empty"
	[ -s "$BATS_TEST_TMPDIR/empty/index.html" ]
	echo keep >"$BATS_TEST_TMPDIR/mine/notes.txt"
	run -1 --separate-stderr wm-page -o "$BATS_TEST_TMPDIR/mine"
	[[ "$stderr" == *"not replacing"* ]]
	[ "$(cat "$BATS_TEST_TMPDIR/mine/notes.txt")" = keep ]
	[ "$(ls -A "$BATS_TEST_TMPDIR/mine")" = notes.txt ]
	[ -z "$(ls -A "$BATS_TEST_TMPDIR" | grep '^\.')" ]
}

@test "--since sets the days shown: bars, text and window" {
	wm-page -o "$BATS_TEST_TMPDIR/o" --since 30d
	[ "$(xp "$BATS_TEST_TMPDIR/o/index.html" 'count((//table[@class="bars"])[1]//td)')" -eq 30 ]
	grep -q 'uptime in 30 days' "$BATS_TEST_TMPDIR/o/index.html"
}

@test "without --group every site is in one list" {
	wm-page -o "$BATS_TEST_TMPDIR/o"
	run -0 xp "$BATS_TEST_TMPDIR/o/index.html" '//h2'
	[[ "$output" == *"Open incidents"*Sites* ]] && [[ "$output" != *core* ]]
}

@test "examples/systemd: the service's command line writes the page; the timer fires every minute" {
	local unit="$ROOT/examples/systemd/webmon-page.service" line start
	# The unit's Environment= lines, then its output pointed at the test.
	while IFS= read -r line; do
		line=${line#Environment=}
		line=${line#\"}
		export "${line%\"}"
	done < <(grep '^Environment=' "$unit")
	export WEBMON_PAGE_DIR="$BATS_TEST_TMPDIR/status"
	start=$(sed -n 's/^ExecStart=//p' "$unit")
	[ -n "$start" ]
	run -0 --separate-stderr bash -c "$start"
	[[ "$stderr" == *"wm-page: 5 sites"* ]]
	[ "$(xp "$WEBMON_PAGE_DIR/index.html" 'string(//h1)')" = "Service status" ]
	run -0 xp "$WEBMON_PAGE_DIR/index.html" '//h2'
	[[ "$output" == *core*shop*Other* ]]
	# Every minute, on the minute.
	cal=$(sed -n 's/^OnCalendar=//p' "$ROOT/examples/systemd/webmon-page.timer")
	run -0 systemd-analyze calendar --iterations=3 "$cal"
	[[ "$output" == *"Normalized form: *-*-* *:*:00"* ]]
	grep -q '^Unit=webmon-page.service$' "$ROOT/examples/systemd/webmon-page.timer"
}

@test "with wm-state's events in wm_events: exact state start, incidents from the events" {
	[ -f "$ROOT/sql/events.sql" ] || skip "sql/events.sql is not in this tree"
	pq -c 'CREATE DATABASE ev'
	PGDATABASE=ev pq -f "$ROOT/sql/schema.sql" -f "$ROOT/sql/views.sql" \
		-f "$ROOT/sql/events.sql"
	PGDATABASE=ev wm-pg-copy -t wm_results --key id <"$BATS_FILE_TMPDIR/results.ndjson"
	wm-state <"$BATS_FILE_TMPDIR/results.ndjson" >"$BATS_TEST_TMPDIR/events.ndjson"
	PGDATABASE=ev wm-pg-copy -t wm_events --key id <"$BATS_TEST_TMPDIR/events.ndjson"
	[ "$(PGDATABASE=ev pq -c 'SELECT count(*) > 0 FROM wm_events')" = t ]
	wm-page -d ev -o "$BATS_TEST_TMPDIR/o"
	o="$BATS_TEST_TMPDIR/o"
	# The shop went down at its first failure of the last hour: the down
	# event's started, to the second, and no "about".
	started=$(PGDATABASE=ev pq -c "SELECT to_char(max(started) AT TIME ZONE 'UTC',
		'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM wm_events
		WHERE url = 'https://shop.example.test/' AND kind = 'down'")
	run -0 jq -r '.sites[] | select(.name == "Shop") | "\(.state) \(.since) \(.open_incidents)"' "$o/status.json"
	[ "$output" = "down $started 1" ]
	run ! grep -q 'since about' "$o/site/shop-example-test.html"
	# The blog's outages, each with its end, from the events.
	page="$o/site/blog-example-test.html"
	grep -q 'From the state changes recorded in wm_events' "$page"
	n=$(PGDATABASE=ev pq -c "SELECT count(*) FROM wm_events
		WHERE url = 'http://blog.example.test/' AND kind = 'down'")
	[ "$n" -ge 1 ]
	[ "$(xp "$page" 'count(//h3[@id="incidents"]/following-sibling::table//tbody/tr)')" -eq "$n" ]
	run -0 tidy -e -q "$page"
}

@test "SIGTERM during a query cancels it, leaves the old page and no temp dir" {
	pq -c 'CREATE DATABASE slow'
	# A wm_latest that takes an hour to read.
	PGDATABASE=slow pq -c "CREATE VIEW wm_latest AS
		SELECT 'https://x.example/'::text AS url, 'p1'::text AS probe,
		       NULL::text AS name, NULL::jsonb AS tags, now() AS ts,
		       true AS ok, NULL::text AS error, NULL::text AS detail,
		       NULL::timestamptz AS cert_expiry FROM pg_sleep(3600)"
	mkdir "$BATS_TEST_TMPDIR/w"
	cp -r "$OUT" "$BATS_TEST_TMPDIR/w/status"
	wm-page -d slow -o "$BATS_TEST_TMPDIR/w/status" 2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	wait_until 60 sh -c "PGDATABASE=slow psql -X -At -c \"SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%FROM wm_latest%' AND state = 'active' AND pid <> pg_backend_pid()\" | grep -qx 1"
	kill -TERM "$pid"
	wait_until 120 sh -c "! kill -0 $pid 2>/dev/null"
	run wait "$pid"
	[ "$status" -eq 1 ]
	grep -q 'wm-page: stopped before writing' "$BATS_TEST_TMPDIR/err"
	grep -q 'canceling statement due to user request' "$PG_DIR/server.log"
	[ "$(ls -A "$BATS_TEST_TMPDIR/w")" = status ]
	cmp "$OUT/index.html" "$BATS_TEST_TMPDIR/w/status/index.html"
}
