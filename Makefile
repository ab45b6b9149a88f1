# webmon: a website availability monitor built from small Unix filters.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
PKG_CONFIG ?= pkg-config
CC ?= cc

VERSION = 0.1.0
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
             $(WARN) $(OPT) $(CFLAGS)
ALL_LDFLAGS = $(LDSAN) $(LDFLAGS)

CURL_CFLAGS   != $(PKG_CONFIG) --cflags libcurl libpcre2-8 jansson
CURL_LIBS     != $(PKG_CONFIG) --libs libcurl libpcre2-8 jansson
KAFKA_CFLAGS  != $(PKG_CONFIG) --cflags rdkafka jansson
KAFKA_LIBS    != $(PKG_CONFIG) --libs rdkafka jansson
PQ_CFLAGS     != $(PKG_CONFIG) --cflags libpq jansson
PQ_LIBS       != $(PKG_CONFIG) --libs libpq jansson
MHD_CFLAGS    != $(PKG_CONFIG) --cflags libmicrohttpd zlib libbrotlienc
MHD_LIBS      != $(PKG_CONFIG) --libs libmicrohttpd zlib libbrotlienc

PROGS = wm-probe wm-kafka-pub wm-kafka-sub wm-pg-copy
FIXTURES = tests/fixtures/wm-httpd tests/fixtures/wm-mock-kafka

# Objects shared by every program.
COMMON = lib/util.o lib/buf.o lib/utf8.o lib/jsonw.o lib/lines.o lib/timeutil.o \
         lib/progress.o

# Per-program objects: each program links only what it uses.
PROBE_OBJS = cmd/wm-probe.o $(COMMON) lib/uuid7.o lib/sites.o lib/statusset.o \
             lib/match.o lib/shard.o lib/probe.o lib/result.o lib/schedule.o \
             lib/watch.o
KPUB_OBJS  = cmd/wm-kafka-pub.o $(COMMON) lib/kconf.o lib/jsonkey.o lib/kpart.o \
             lib/korigin.o lib/kbatch.o lib/kkey.o
KSUB_OBJS  = cmd/wm-kafka-sub.o $(COMMON) lib/kconf.o lib/ackreader.o lib/offtrack.o \
             lib/kenvelope.o lib/koffset.o
PGCOPY_OBJS = cmd/wm-pg-copy.o $(COMMON) lib/pgsink.o lib/copyrow.o
HTTPD_OBJS = tests/fixtures/wm-httpd.o lib/util.o lib/buf.o lib/utf8.o lib/jsonw.o \
             lib/timeutil.o
MOCKK_OBJS = tests/fixtures/wm-mock-kafka.o lib/util.o

all: $(PROGS) $(FIXTURES)

wm-probe: $(PROBE_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $(PROBE_OBJS) $(CURL_LIBS) -lm
wm-kafka-pub: $(KPUB_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $(KPUB_OBJS) $(KAFKA_LIBS) -lm
wm-kafka-sub: $(KSUB_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $(KSUB_OBJS) $(KAFKA_LIBS) -lm
wm-pg-copy: $(PGCOPY_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $(PGCOPY_OBJS) $(PQ_LIBS) -lm
tests/fixtures/wm-httpd: $(HTTPD_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $(HTTPD_OBJS) $(MHD_LIBS)
tests/fixtures/wm-mock-kafka: $(MOCKK_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $(MOCKK_OBJS) $(KAFKA_LIBS)

# Every object gets every library's include path: cheap, and keeps rules simple.
DEP_CFLAGS = $(CURL_CFLAGS) $(KAFKA_CFLAGS) $(PQ_CFLAGS) $(MHD_CFLAGS)
.c.o:
	$(CC) $(ALL_CFLAGS) $(DEP_CFLAGS) -MMD -MP -c -o $@ $<

-include $(wildcard cmd/*.d lib/*.d tests/fixtures/*.d)

check: deps all
	PATH="$$(pwd):$$(pwd)/tests/fixtures:$$PATH" bats $(BATSFLAGS) tests

# The whole pipeline for about 20 seconds on embedded parts, then a summary.
demo: deps all
	./examples/demo.sh

lint:
	mandoc -Tlint -Wwarning man/*.1 man/*.7

install: $(PROGS)
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7
	install -m0755 $(PROGS) $(DESTDIR)$(BINDIR)
	install -m0644 man/*.1 $(DESTDIR)$(MANDIR)/man1
	install -m0644 man/*.7 $(DESTDIR)$(MANDIR)/man7

# libFuzzer targets (clang): `make fuzz` builds each under ASan+UBSan and runs
# it FUZZ_TIME seconds on a throwaway copy of its seed corpus in
# tests/fuzz/corpus/; a crash fails the run and leaves the input in
# tests/fuzz/artifacts/.
FUZZ_TIME ?= 60
FUZZ_CC ?= clang
FUZZ_TARGETS = sites statusset copyrow jsonquote lines
FUZZ_BINS = $(FUZZ_TARGETS:%=tests/fuzz/fuzz-%)
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -std=c11 -D_GNU_SOURCE -Ilib
FUZZ_LIB_sites = lib/sites.c lib/statusset.c lib/match.c lib/shard.c \
	lib/lines.c lib/util.c lib/buf.c lib/utf8.c
FUZZ_LIB_statusset = lib/statusset.c lib/util.c
FUZZ_LIB_copyrow = lib/copyrow.c lib/util.c lib/buf.c lib/utf8.c
FUZZ_LIB_jsonquote = lib/jsonw.c lib/util.c lib/buf.c lib/utf8.c
FUZZ_LIB_lines = lib/lines.c lib/util.c lib/buf.c
$(FUZZ_BINS): tests/fuzz/fuzz-%: tests/fuzz/fuzz-%.c $(wildcard lib/*.c lib/*.h)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(CURL_CFLAGS) -o $@ $< $(FUZZ_LIB_$*) \
	    $(CURL_LIBS) -lm
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
.PHONY: fuzz

# Debian packages needed to build, test and benchmark; installs only what is
# missing, so it is safe to run again.
DEB_PKGS = build-essential pkg-config libcurl4-openssl-dev libpcre2-dev \
	librdkafka-dev libjansson-dev libpq-dev libmicrohttpd-dev zlib1g-dev \
	libbrotli-dev openssl bats jq kcat curl nginx postgresql \
	postgresql-15-partman mandoc python3 python3-psycopg2 procps \
	psmisc valgrind clang libclang-rt-14-dev iproute2 time
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
	rm -f $(PROGS) $(FIXTURES) cmd/*.o lib/*.o tests/fixtures/*.o \
	      cmd/*.d lib/*.d tests/fixtures/*.d
	rm -f $(FUZZ_BINS)

.PHONY: all check demo lint install deps clean
