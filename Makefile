# webmon: a website availability monitor built from small Unix filters.
#
# Flags of outside libraries come from pkg-config when a recipe runs (the
# backquoted variables below), never when make reads this file: on a fresh
# machine `make demo` and `make check` install the packages first (deps),
# and a value taken at parse time would be empty.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/webmon
DOCDIR ?= $(PREFIX)/share/doc/webmon
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
PKG_CONFIG ?= pkg-config
CC ?= cc
AR ?= ar

VERSION = 0.2.0
WARN = -Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
       -Wwrite-strings -Wpointer-arith -Wformat=2 -Wno-unused-parameter
OPT = -O2 -g
ifeq ($(SANITIZE),1)
OPT = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
      -fno-sanitize-recover=undefined
LDSAN = -fsanitize=address,undefined
endif
ifeq ($(WERROR),1)
WARN += -Werror
endif
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -DWEBMON_VERSION='"$(VERSION)"' -Ilib \
             $(CPPFLAGS) $(WARN) $(OPT) $(CFLAGS)
ALL_LDFLAGS = $(LDSAN) $(LDFLAGS)

# Outside libraries by family, resolved by the shell of each recipe.
pc = `$(PKG_CONFIG) --$(1) $(2)`
PROBE_PKGS = libcurl libpcre2-8 jansson libssl libcrypto
KAFKA_PKGS = rdkafka
PG_PKGS    = libpq
HTTPD_PKGS = libmicrohttpd zlib libbrotlienc
NOTIFY_PKGS = libcurl jansson

# A change of compiler or flags rebuilds everything (git's GIT-CFLAGS stamp):
# the stamp is rewritten while make reads this file, so `make -n` sees it too.
BUILD_FLAGS := $(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS)
ifneq ($(BUILD_FLAGS),$(file <.build-flags))
$(file >.build-flags,$(BUILD_FLAGS))
endif
.build-flags: ;

# Each lib/ folder is one archive; a new .c file needs no edit here.
LIBWM      = lib/libwm.a
LIBPROBE   = lib/probe/libwmprobe.a
LIBKAFKA   = lib/kafka/libwmkafka.a
LIBPG      = lib/pg/libwmpg.a
LIBSTATE   = lib/state/libwmstate.a
LIBPAGE    = lib/page/libwmpage.a
lib_objs   = $(patsubst %.c,%.o,$(wildcard $(1)/*.c))
ARCHIVES   = $(LIBWM) $(LIBPROBE) $(LIBKAFKA) $(LIBPG) $(LIBSTATE)
ARCHIVES  += $(LIBPAGE)

$(LIBWM): $(call lib_objs,lib)
$(LIBPROBE): $(call lib_objs,lib/probe)
$(LIBKAFKA): $(call lib_objs,lib/kafka)
$(LIBPG): $(call lib_objs,lib/pg)
$(LIBSTATE): $(call lib_objs,lib/state)
$(LIBPAGE): $(call lib_objs,lib/page)
$(ARCHIVES):
	rm -f $@ && $(AR) rcs $@ $^

# Objects of a folder get that folder's library include paths.
lib/probe/%.o cmd/wm-probe.o: FAMILY_PKGS = $(PROBE_PKGS)
lib/kafka/%.o cmd/wm-kafka-%.o tests/fixtures/wm-mock-kafka.o: FAMILY_PKGS = $(KAFKA_PKGS)
lib/pg/%.o cmd/wm-pg-copy.o: FAMILY_PKGS = $(PG_PKGS)
cmd/wm-page.o: FAMILY_PKGS = $(PG_PKGS)
tests/fixtures/wm-httpd.o: FAMILY_PKGS = $(HTTPD_PKGS)
lib/state/%.o cmd/wm-notify.o: FAMILY_PKGS = $(NOTIFY_PKGS)

%.o: %.c .build-flags
	$(CC) $(ALL_CFLAGS) $(if $(FAMILY_PKGS),$(call pc,cflags,$(FAMILY_PKGS))) \
	    -MMD -MP -c -o $@ $<

-include $(wildcard cmd/*.d lib/*.d lib/*/*.d tests/fixtures/*.d tests/unit/*.d)

# Programs: each links only the archives and outside libraries it uses.
PROGS = wm-probe wm-kafka-pub wm-kafka-sub wm-pg-copy wm-state wm-notify
PROGS += wm-page
FIXTURES = tests/fixtures/wm-httpd tests/fixtures/wm-mock-kafka

wm-probe: cmd/wm-probe.o $(LIBPROBE) $(LIBWM)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(call pc,libs,$(PROBE_PKGS)) -lm
wm-kafka-pub wm-kafka-sub: wm-kafka-%: cmd/wm-kafka-%.o $(LIBKAFKA) $(LIBWM)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(call pc,libs,$(KAFKA_PKGS)) -lm
wm-pg-copy: cmd/wm-pg-copy.o $(LIBPG) $(LIBWM)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(call pc,libs,$(PG_PKGS)) -lm
wm-state: cmd/wm-state.o $(LIBSTATE) $(LIBWM)
	$(CC) $(ALL_LDFLAGS) -o $@ $^
wm-notify: cmd/wm-notify.o $(LIBSTATE) $(LIBWM)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(call pc,libs,$(NOTIFY_PKGS))
wm-page: cmd/wm-page.o $(LIBPG) $(LIBPAGE) $(LIBWM)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(call pc,libs,$(PG_PKGS)) -lm
tests/fixtures/wm-httpd: tests/fixtures/wm-httpd.o $(LIBWM)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(call pc,libs,$(HTTPD_PKGS))
tests/fixtures/wm-mock-kafka: tests/fixtures/wm-mock-kafka.o $(LIBWM)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(call pc,libs,$(KAFKA_PKGS))

all: $(PROGS)
fixtures: $(FIXTURES)

# Unit tests of lib/ (tests/unit/test-*.c, git's t/helper style): each is a
# program printing TAP lines, linked like the programs of its family.
UNIT_CORE  = tests/unit/test-jsonr tests/unit/test-progress
UNIT_PROBE = tests/unit/test-statusset tests/unit/test-schedule \
	     tests/unit/test-reload
UNIT_KAFKA = tests/unit/test-kbatch tests/unit/test-koffset tests/unit/test-kkey
UNIT_PG    = tests/unit/test-copyrow
# delivery: the offset tracker and both sides of the ack protocol.
UNIT_KAFKA += tests/unit/test-offtrack
UNIT_CORE  += tests/unit/test-ack
# state: wm-state's fold, scan and ids.
UNIT_STATE = tests/unit/test-fold
UNIT_TESTS = $(UNIT_CORE) $(UNIT_PROBE) $(UNIT_KAFKA) $(UNIT_PG) $(UNIT_STATE)
tests/unit/test-kbatch.o tests/unit/test-koffset.o: FAMILY_PKGS = $(KAFKA_PKGS)
# pgsink: file operands and psql's connection flags.
UNIT_CORE += tests/unit/test-infiles
UNIT_PG   += tests/unit/test-pgconn
tests/unit/test-pgconn.o: FAMILY_PKGS = $(PG_PKGS)
# kafka: kcat's -m and the kcat flags refused by name.
UNIT_KAFKA += tests/unit/test-kcatflags
tests/unit/test-kcatflags.o: FAMILY_PKGS = $(KAFKA_PKGS)
# kafka: wm-kafka-pub's delimited input (-D) and kcat's producer flags.
UNIT_KAFKA += tests/unit/test-kread
tests/unit/test-kread.o: FAMILY_PKGS = $(KAFKA_PKGS)

# page: the escaping of HTML, SVG and CSV.
UNIT_PAGE = tests/unit/test-pageesc
UNIT_TESTS += $(UNIT_PAGE)

# kcatsub: kcat's -f formats and -K/-D/-Z output.
UNIT_KAFKA += tests/unit/test-kfmt
tests/unit/test-kfmt.o: FAMILY_PKGS = $(KAFKA_PKGS)
# the idempotent producer's pacing
UNIT_KAFKA += tests/unit/test-kpace
tests/unit/test-kpace.o: FAMILY_PKGS = $(KAFKA_PKGS)

$(UNIT_CORE): %: %.o $(LIBWM)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lm
$(UNIT_PROBE): %: %.o $(LIBPROBE) $(LIBWM)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lm
$(UNIT_KAFKA): %: %.o $(LIBKAFKA) $(LIBWM)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(call pc,libs,$(KAFKA_PKGS)) -lm
$(UNIT_PG): %: %.o $(LIBPG) $(LIBWM)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(call pc,libs,$(PG_PKGS)) -lm
$(UNIT_STATE): %: %.o $(LIBSTATE) $(LIBWM)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lm
$(UNIT_PAGE): %: %.o $(LIBPAGE) $(LIBWM)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lm

# Fast: builds and runs only the unit tests. Every test runs even after a
# failure; the status says whether any failed.
check-unit: $(UNIT_TESTS)
	@rc=0; for t in $(UNIT_TESTS); do echo "# $$t"; ./$$t || rc=1; done; \
	exit $$rc

# check and demo install what is missing first, then build: the recipe runs
# its lines in order, so nothing compiles before deps ends, also under -j.
# TESTS: the bats files to run (all by default).
TESTS ?= tests
check: deps
	$(MAKE) all fixtures
	$(MAKE) check-unit
	PATH="$$(pwd):$$(pwd)/tests/fixtures:$$PATH" bats $(BATSFLAGS) $(TESTS)

# The whole pipeline for about 20 seconds on embedded parts, then a summary.
demo: deps
	$(MAKE) all fixtures
	./examples/demo.sh

lint:
	mandoc -Tlint -Wwarning man/*.1 man/*.7

# Programs and manual pages; the schema and migrations under
# $(DATADIR)/sql; examples under $(DOCDIR)/examples; units in SYSTEMDUNITDIR.
install: $(PROGS)
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7 \
	    $(DESTDIR)$(DATADIR)/sql $(DESTDIR)$(DOCDIR)/examples \
	    $(DESTDIR)$(SYSTEMDUNITDIR)
	install -m0755 $(PROGS) $(DESTDIR)$(BINDIR)
	install -m0644 man/*.1 $(DESTDIR)$(MANDIR)/man1
	install -m0644 man/*.7 $(DESTDIR)$(MANDIR)/man7
	install -m0644 sql/*.sql $(DESTDIR)$(DATADIR)/sql
	cp -R examples/. $(DESTDIR)$(DOCDIR)/examples
	install -m0644 examples/systemd/*.service $(wildcard examples/systemd/*.timer) \
	    $(DESTDIR)$(SYSTEMDUNITDIR)

uninstall:
	rm -f $(PROGS:%=$(DESTDIR)$(BINDIR)/%)
	for f in man/*.1; do rm -f $(DESTDIR)$(MANDIR)/man1/$${f#man/}; done
	for f in man/*.7; do rm -f $(DESTDIR)$(MANDIR)/man7/$${f#man/}; done
	for f in examples/systemd/*.service examples/systemd/*.timer; do \
	  rm -f $(DESTDIR)$(SYSTEMDUNITDIR)/$${f#examples/systemd/}; done
	rm -rf $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)

# libFuzzer targets (clang): `make fuzz` builds each under ASan+UBSan and runs
# it FUZZ_TIME seconds on a throwaway copy of its seed corpus in
# tests/fuzz/corpus/; a crash fails the run and leaves the input in
# tests/fuzz/artifacts/.
FUZZ_TIME ?= 60
FUZZ_CC ?= clang
FUZZ_TARGETS = sites statusset copyrow jsonr jsonquote lines checks
FUZZ_BINS = $(FUZZ_TARGETS:%=tests/fuzz/fuzz-%)
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -std=c11 -D_GNU_SOURCE -Ilib
CORE_SRC = lib/lines.c lib/util.c lib/buf.c lib/utf8.c
FUZZ_LIB_sites = lib/probe/sites.c lib/probe/statusset.c lib/probe/match.c \
	lib/probe/shard.c lib/probe/sitekeys.c lib/probe/secret.c lib/probe/siteurl.c \
	lib/probe/checks.c $(CORE_SRC)
FUZZ_PKGS_sites = libpcre2-8 jansson libcurl
FUZZ_LIB_checks = lib/probe/checks.c lib/probe/secret.c lib/probe/match.c \
	lib/probe/statusset.c $(CORE_SRC)
FUZZ_PKGS_checks = libpcre2-8 jansson
FUZZ_LIB_statusset = lib/probe/statusset.c lib/util.c
FUZZ_LIB_copyrow = lib/pg/copyrow.c lib/jsonr.c $(CORE_SRC)
FUZZ_PKGS_copyrow = jansson
FUZZ_LIB_jsonr = lib/jsonr.c $(CORE_SRC)
FUZZ_PKGS_jsonr = jansson
FUZZ_LIB_jsonquote = lib/jsonw.c $(CORE_SRC)
FUZZ_PKGS_jsonquote = jansson
FUZZ_LIB_lines = $(CORE_SRC)
# kcatsub: kcat's -f formats and -K/-D delimiters.
FUZZ_TARGETS += kfmt
FUZZ_LIB_kfmt = lib/kafka/kfmt.c lib/kafka/kdelim.c $(CORE_SRC)
FUZZ_PKGS_kfmt = rdkafka
$(FUZZ_BINS): tests/fuzz/fuzz-%: tests/fuzz/fuzz-%.c $(wildcard lib/*.[ch] lib/*/*.[ch])
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(if $(FUZZ_PKGS_$*),$(call pc,cflags,$(FUZZ_PKGS_$*))) \
	    -o $@ $< $(FUZZ_LIB_$*) \
	    $(if $(FUZZ_PKGS_$*),$(call pc,libs,$(FUZZ_PKGS_$*))) -lm
fuzz: $(FUZZ_BINS)
	@tmp=$$(mktemp -d) || exit 1; trap 'rm -rf "$$tmp"' EXIT; \
	mkdir -p tests/fuzz/artifacts; \
	for t in $(FUZZ_TARGETS); do \
	  mkdir "$$tmp/$$t" && cp tests/fuzz/corpus/$$t/* "$$tmp/$$t/" || exit 1; \
	  dict=; [ -f tests/fuzz/$$t.dict ] && dict=-dict=tests/fuzz/$$t.dict; \
	  echo "fuzz: $$t for $(FUZZ_TIME) s"; \
	  tests/fuzz/fuzz-$$t -max_total_time=$(FUZZ_TIME) -timeout=10 \
	    -print_final_stats=1 -artifact_prefix=tests/fuzz/artifacts/$$t- \
	    $$dict $(FUZZ_FLAGS) "$$tmp/$$t" || { \
	    echo "fuzz: $$t failed; input in tests/fuzz/artifacts/"; exit 1; }; \
	done

# Debian packages needed to build, test and benchmark; installs only what is
# missing, so it is safe to run again.
DEB_PKGS = build-essential pkg-config libcurl4-openssl-dev libpcre2-dev \
	librdkafka-dev libjansson-dev libpq-dev libmicrohttpd-dev zlib1g-dev \
	libbrotli-dev openssl bats jq kcat curl nginx postgresql \
	postgresql-15-partman mandoc python3 python3-psycopg2 procps \
	psmisc valgrind clang libclang-rt-14-dev iproute2 time systemd
# wm-probe reads the TLS handshake through OpenSSL (cert expiry, version);
# its tests run nginx (HTTP/2, client certificates) and unshare.
DEB_PKGS += libssl-dev util-linux python3-cryptography bc
# wm-kafka-sub's -u test counts its writes with strace.
DEB_PKGS += strace
# wm-page tests: headless browser, HTML checker, text browser, xmllint
DEB_PKGS += chromium tidy w3m libxml2-utils file
# The real Apache Kafka broker of the tests and benchmarks (tests/kafka/):
# Maven fetches its jars once, a JRE runs it.
DEB_PKGS += maven default-jre-headless
deps:
	@missing=$$(for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
	  grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  if [ "$$(id -u)" -ne 0 ]; then SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    --no-install-recommends $$missing; \
	else echo "deps: all present"; fi

clean:
	rm -f $(PROGS) $(FIXTURES) $(UNIT_TESTS) $(ARCHIVES) .build-flags
	find cmd lib tests -name '*.[od]' -delete
	rm -f $(FUZZ_BINS)

.PHONY: all fixtures check check-unit demo lint install uninstall deps clean fuzz
