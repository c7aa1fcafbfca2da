# ct-* tools.  See README.md; config.mk holds the knobs.
.POSIX:

include config.mk

# SANITIZE=1 builds everything with AddressSanitizer and UBSan.
SAN_FLAGS = $(SANITIZE:1=-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)

ALL_CFLAGS = $(CT_CFLAGS) $(SAN_FLAGS) $(CFLAGS) $(CPPFLAGS)
ALL_LDFLAGS = $(SAN_FLAGS) $(LDFLAGS)

LIB_SRC = $(wildcard lib/*.c)
LIB_OBJ = $(LIB_SRC:.c=.o)
LIB_HDR = $(wildcard lib/*.h)

LISTEN_SRC = $(wildcard ct-listen/*.c)
LISTEN_OBJ = $(LISTEN_SRC:.c=.o)
FILTER_SRC = $(filter-out ct-filter/fuzz_%.c,$(wildcard ct-filter/*.c))
FILTER_OBJ = $(FILTER_SRC:.c=.o)

BIN = ct-listen/ct-listen $(if $(FILTER_SRC),ct-filter/ct-filter)
MAN1 = $(wildcard man/*.1)
MAN5 = $(wildcard man/*.5)
MAN8 = $(wildcard man/*.8)

MNL_CFLAGS = $$($(PKG_CONFIG) --cflags libmnl)
MNL_LIBS = $$($(PKG_CONFIG) --libs libmnl)

all: $(BIN)

# Objects depend on the flags they were built with, so that switching
# SANITIZE (or CC, CFLAGS) on the command line rebuilds everything.
.flags: FORCE
	@echo "CC=$(CC) SANITIZE=$(SANITIZE) CFLAGS=$(CFLAGS) LDFLAGS=$(LDFLAGS)" | \
	    cmp -s - $@ || \
	    echo "CC=$(CC) SANITIZE=$(SANITIZE) CFLAGS=$(CFLAGS) LDFLAGS=$(LDFLAGS)" >$@
FORCE:

lib/libct.a: $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $(LIB_OBJ)

lib/%.o: lib/%.c $(LIB_HDR) config.mk .flags
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

ct-listen/%.o: ct-listen/%.c $(wildcard ct-listen/*.h) $(LIB_HDR) config.mk .flags
	$(CC) $(ALL_CFLAGS) $(MNL_CFLAGS) -c -o $@ $<

ct-listen/ct-listen: $(LISTEN_OBJ) lib/libct.a
	$(CC) $(ALL_LDFLAGS) -o $@ $(LISTEN_OBJ) lib/libct.a $(MNL_LIBS) $(LDLIBS)

ct-filter/%.o: ct-filter/%.c $(wildcard ct-filter/*.h) $(LIB_HDR) config.mk .flags
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

ct-filter/ct-filter: $(FILTER_OBJ) lib/libct.a
	$(CC) $(ALL_LDFLAGS) -o $@ $(FILTER_OBJ) lib/libct.a $(LDLIBS)

# libFuzzer targets for ct-filter's rule parser and input-line decoder,
# built from source with clang so that lib/ is instrumented too.  "make
# fuzz" runs each for FUZZ_SECONDS on a fresh corpus grown from the
# seeds and fails on any crash, leak or sanitizer report.
FUZZ_SECONDS = 60
FUZZ_CC = clang
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS = $(filter-out -Werror,$(CT_CFLAGS))
FILTER_CORE = $(filter-out ct-filter/main.c,$(FILTER_SRC))
FUZZ_DEPS = $(FILTER_CORE) $(LIB_SRC) $(LIB_HDR) $(wildcard ct-filter/*.h)

ct-filter/fuzz_parse: ct-filter/fuzz_parse.c $(FUZZ_DEPS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_FLAGS) -o $@ ct-filter/fuzz_parse.c \
	    $(FILTER_CORE) $(LIB_SRC)

ct-filter/fuzz_line: ct-filter/fuzz_line.c $(FUZZ_DEPS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_FLAGS) -o $@ ct-filter/fuzz_line.c \
	    $(FILTER_CORE) $(LIB_SRC)

fuzz: ct-filter/fuzz_parse ct-filter/fuzz_line
	for t in parse line; do \
	    d=$$(mktemp -d) && \
	    ct-filter/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	        -rss_limit_mb=2048 -print_final_stats=1 \
	        $$d ct-filter/fuzz-seeds/$$t || { rm -rf $$d; exit 1; }; \
	    rm -rf $$d; \
	done

# C unit tests of lib/ and ct-listen/parse.c; they need no root.
UNIT_SRC = tests/unit/unit.c tests/unit/event_test.c tests/unit/parse_test.c \
	tests/unit/lib_test.c tests/unit/jscan_test.c
UNIT_OBJ = $(UNIT_SRC:.c=.o)

tests/unit/%.o: tests/unit/%.c tests/unit/unit.h $(wildcard ct-listen/*.h) $(LIB_HDR) config.mk .flags
	$(CC) $(ALL_CFLAGS) $(MNL_CFLAGS) -Ict-listen -c -o $@ $<

tests/unit/unit_test: $(UNIT_OBJ) ct-listen/parse.o lib/libct.a
	$(CC) $(ALL_LDFLAGS) -o $@ $(UNIT_OBJ) ct-listen/parse.o lib/libct.a $(MNL_LIBS) -lpthread $(LDLIBS)

unit: tests/unit/unit_test
	tests/unit/unit_test

# The tests run against the binaries built here (tests/test_helper.bash).
check: all unit bench/ct-flood
	CT_SANITIZE=$(SANITIZE) bats tests

bench/ct-flood: bench/ct-flood.c config.mk .flags
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ bench/ct-flood.c

bench: all bench/ct-flood
	bench/run

# Debian packages that building, testing and benchmarking need.
DEPS_BUILD = gcc make pkg-config libc6-dev libmnl-dev
DEPS_TEST = bats jq nftables conntrack iproute2 socat iputils-ping mandoc \
	procps util-linux clang libclang-rt-14-dev valgrind time

# Install what is missing, on Debian or Ubuntu; quiet when all is there.
deps:
	@missing=; for p in $(DEPS_BUILD) $(DEPS_TEST); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
	    grep -q '^install ok installed' || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" != 0 ]; then \
	        echo "make deps: missing:$$missing; run as root" >&2; exit 1; fi; \
	    echo "make deps: installing$$missing"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq && \
	    apt-get install -y -qq --no-install-recommends $$missing >/dev/null || \
	    exit 1; \
	fi

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANPREFIX)/man1 \
	    $(DESTDIR)$(MANPREFIX)/man5 $(DESTDIR)$(MANPREFIX)/man8
	for f in $(BIN); do cp -f $$f $(DESTDIR)$(BINDIR)/ && \
	    chmod 755 $(DESTDIR)$(BINDIR)/$${f##*/}; done
	for f in $(MAN1); do cp -f $$f $(DESTDIR)$(MANPREFIX)/man1/; done
	for f in $(MAN5); do cp -f $$f $(DESTDIR)$(MANPREFIX)/man5/; done
	for f in $(MAN8); do cp -f $$f $(DESTDIR)$(MANPREFIX)/man8/; done

uninstall:
	for f in $(BIN); do rm -f $(DESTDIR)$(BINDIR)/$${f##*/}; done
	for f in $(MAN1); do rm -f $(DESTDIR)$(MANPREFIX)/man1/$${f##*/}; done
	for f in $(MAN5); do rm -f $(DESTDIR)$(MANPREFIX)/man5/$${f##*/}; done
	for f in $(MAN8); do rm -f $(DESTDIR)$(MANPREFIX)/man8/$${f##*/}; done

clean:
	rm -f lib/*.o lib/libct.a ct-*/*.o $(BIN) bench/ct-flood ct-filter/fuzz_parse ct-filter/fuzz_line \
	    tests/unit/*.o tests/unit/unit_test .flags

.PHONY: FORCE all unit check bench deps install uninstall clean fuzz
