# slogate: GNU make, flags from pkg-config. See README.md.

VERSION   := 0.1.0
PREFIX    ?= /usr/local
DESTDIR   ?=
BINDIR    := $(PREFIX)/bin
DATADIR   := $(PREFIX)/share/slogate
BUILD     ?= build

CC        ?= cc
PKGS      := libcurl libcjson libgit2 sqlite3 libpq libmicrohttpd gnutls
WARN      := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
             -Wpointer-arith -Wwrite-strings -Wvla -Wformat=2 -Werror
CFLAGS    ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -MMD -MP -Igate -I$(BUILD) \
             $(shell pkg-config --cflags $(PKGS))
LIBS       = $(shell pkg-config --libs $(PKGS)) -lm -lpthread

# everything but the CLI goes into a library the tests link too
LIB_SRC   := $(filter-out gate/cli/%,$(wildcard gate/*/*.c))
CLI_SRC   := $(wildcard gate/cli/*.c)
LIB_OBJ   := $(LIB_SRC:gate/%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/schema.o \
             $(BUILD)/obj/schema_pg.o
CLI_OBJ   := $(CLI_SRC:gate/%.c=$(BUILD)/obj/%.o)

UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
INTEG_SRC := $(wildcard tests/integration/test_*.c)
INTEG_BIN := $(INTEG_SRC:tests/integration/%.c=$(BUILD)/tests/%)
# the tests read a PostgreSQL database with libpq (SLOGATE_TEST_BACKEND)
TEST_CFLAGS = $(shell pkg-config --cflags cmocka libpq)
TEST_LIBS  = $(shell pkg-config --libs cmocka libpq) $(LIBS)
# unit tests that open a store: they get their database from the harness
UNIT_DB   := test_store test_store_audit test_usecase

# fuzz harnesses: replayed over their corpus by the standalone driver in
# every flavour (make test), run by clang's libFuzzer in build/fuzz (make fuzz)
FUZZ_TARGETS := policy criteria prom_decode jsonin api eval
FUZZ_REPLAY := $(FUZZ_TARGETS:%=$(BUILD)/tests/fuzz/fuzz_%)
FUZZ_BIN  := $(FUZZ_TARGETS:%=$(BUILD)/fuzzers/fuzz_%)
FUZZ_SAN  := -fsanitize=address,undefined,float-cast-overflow \
             -fno-sanitize-recover=undefined,float-cast-overflow
FUZZ_SECONDS ?= 30
FUZZ_RUN  ?= $(FUZZ_TARGETS)
# the largest input worth mutating: a policy, a criteria list, a range
# answer of a few hundred points, a verdict list, a request with a policy,
# a policy with its answers
FUZZ_MAXLEN_policy      := 8192
FUZZ_MAXLEN_criteria    := 1024
FUZZ_MAXLEN_prom_decode := 16384
FUZZ_MAXLEN_jsonin      := 32768
FUZZ_MAXLEN_api         := 16384
FUZZ_MAXLEN_eval        := 16384

.PHONY: all test unit integration unit-pg integration-pg demo deps install uninstall clean asan valgrind \
        lint layers bench fuzz fuzz-replay fuzzers

all: $(BUILD)/slogate

deps:
	@sh scripts/deps.sh

$(BUILD)/slogate: $(CLI_OBJ) $(BUILD)/libslogate.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libslogate.a $(LIBS)

$(BUILD)/libslogate.a: $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/obj/%.o: gate/%.c | $(BUILD)/obj
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/obj/cli/main.o: $(BUILD)/version.h
$(BUILD)/obj/cli/main.o: ALL_CFLAGS += -include $(BUILD)/version.h
$(BUILD)/obj/cli/cmd_check.o: ALL_CFLAGS += -DSLG_DATADIR='"$(DATADIR)"'

# rewritten only when the commit changes, so builds stay incremental
$(BUILD)/version.h: FORCE | $(BUILD)/obj
	@c=$$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown); \
	 if ! grep -q "\"$$c\"" $@ 2>/dev/null; then \
	   printf '#define SLG_VERSION "%s"\n#define SLG_GIT_COMMIT "%s"\n#define SLG_BUILD_TIME "%s"\n' \
	     "$(VERSION)" "$$c" "$$(date -u +%Y-%m-%dT%H:%M:%SZ)" > $@; fi
FORCE:

$(BUILD)/schema.c: $(wildcard schema/sqlite/*.sql) scripts/embed-schema.sh | $(BUILD)/obj
	sh scripts/embed-schema.sh slg_schema schema/sqlite/*.sql > $@.tmp && mv $@.tmp $@

$(BUILD)/schema_pg.c: $(wildcard schema/postgres/*.sql) scripts/embed-schema.sh | $(BUILD)/obj
	sh scripts/embed-schema.sh slg_pg_schema schema/postgres/*.sql > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/schema.o $(BUILD)/obj/schema_pg.o: $(BUILD)/obj/%.o: $(BUILD)/%.c
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -c -o $@ $<

$(BUILD)/obj $(BUILD)/tests $(BUILD)/tests/fuzz:
	mkdir -p $@

# ---- tests ----
$(BUILD)/tests/harness.o: tests/integration/harness.c tests/integration/harness.h \
    | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $(TEST_CFLAGS) -Itests -c -o $@ $<

$(UNIT_DB:%=$(BUILD)/tests/%): $(BUILD)/tests/harness.o tests/integration/harness.h

$(BUILD)/tests/%: tests/unit/%.c tests/testutil.h $(BUILD)/libslogate.a | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $(TEST_CFLAGS) -Itests -Itests/integration -o $@ $< \
	    $(filter %.o,$^) $(BUILD)/libslogate.a $(TEST_LIBS)

$(BUILD)/tests/%: tests/integration/%.c $(BUILD)/tests/harness.o \
    tests/integration/harness.h tests/integration/exporter.c \
    tests/integration/exporter.h tests/testutil.h $(BUILD)/libslogate.a | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $(TEST_CFLAGS) -Itests -Itests/integration -o $@ $< \
	    $(BUILD)/tests/harness.o tests/integration/exporter.c \
	    $(BUILD)/libslogate.a $(TEST_LIBS)

$(BUILD)/tests/fuzz/standalone.o: tests/fuzz/standalone.c tests/fuzz/fuzz.h \
    | $(BUILD)/tests/fuzz
	$(CC) $(ALL_CFLAGS) -Itests/fuzz -c -o $@ $<

$(BUILD)/tests/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h \
    $(BUILD)/tests/fuzz/standalone.o $(BUILD)/libslogate.a
	$(CC) $(ALL_CFLAGS) -Itests/fuzz -o $@ $< $(BUILD)/tests/fuzz/standalone.o \
	    $(BUILD)/libslogate.a $(LIBS)

# built by `make fuzz` in its own make, with clang and the sanitizers in CFLAGS
$(BUILD)/fuzzers/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(BUILD)/libslogate.a
	@mkdir -p $(BUILD)/fuzzers
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -Itests/fuzz $(LDFLAGS) -o $@ $< \
	    $(BUILD)/libslogate.a $(LIBS)

fuzzers: $(FUZZ_BIN)

$(BUILD)/tests/gen_series: tests/fixtures/gen_series.c | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -o $@ $< -lm

$(BUILD)/bench/%: bench/%.c $(BUILD)/libslogate.a
	@mkdir -p $(BUILD)/bench
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libslogate.a $(LIBS)

$(BUILD)/bench/bench_history: bench/bench_history.c bench/pgload.c \
    bench/pgload.h $(BUILD)/libslogate.a
	@mkdir -p $(BUILD)/bench
	$(CC) $(ALL_CFLAGS) -Ibench -o $@ bench/bench_history.c bench/pgload.c \
	    $(BUILD)/libslogate.a $(LIBS)

# measurements, SQLite and PostgreSQL side by side in one run; never part
# of the tests. bench/pg.sh starts a PostgreSQL of its own for the run and
# removes it after. BENCH_VERDICTS: the size of the large databases;
# BENCH_PG_LOAD: how the large PostgreSQL one is filled (copy, store,
# dbcopy: see bench/bench_history.c); BENCH_KEEP=1 keeps the SQLite file
BENCH_VERDICTS ?= 100000
bench: $(BUILD)/bench/bench_history $(BUILD)/slogate
	sh bench/pg.sh run bench_1k bench_large bench_writers -- \
	    $(BUILD)/bench/bench_history $(BUILD)/bench $(BENCH_VERDICTS) \
	    $(BUILD)/slogate

# TESTS=test_check runs only those binaries; SLOGATE_TEST_ONLY='glob' (in
# the environment) only the tests of theirs whose names match
pick = $(if $(TESTS),$(filter $(TESTS:%=$(BUILD)/tests/%),$(1)),$(1))

unit: $(UNIT_BIN)
	@fail=0; for t in $(call pick,$(UNIT_BIN)); do echo "== $$t"; $$t || fail=1; \
	 done; exit $$fail

# every corpus file once, without clang: a finding stays fixed
fuzz-replay: $(FUZZ_REPLAY)
	@fail=0; for t in $(FUZZ_TARGETS); do echo "== fuzz_$$t"; \
	  $(BUILD)/tests/fuzz/fuzz_$$t tests/fuzz/corpus/$$t || fail=1; done; exit $$fail

integration: $(BUILD)/slogate $(BUILD)/tests/gen_series $(INTEG_BIN)
	@fail=0; for t in $(call pick,$(INTEG_BIN)); do echo "== $$t"; \
	  SLOGATE_BIN=$(BUILD)/slogate SLOGATE_GEN=$(BUILD)/tests/gen_series \
	  SLOGATE_TOP=$(CURDIR) $$t || fail=1; done; exit $$fail

# The same runs on PostgreSQL (SLOGATE_TEST_BACKEND=postgres): each test
# process starts one cluster of its own on first use (initdb and pg_ctl in
# a temporary folder, on a free loopback port; tests/integration/harness.c)
# and gives every test a new database in it. unit-pg runs the unit tests
# that open a store (UNIT_DB) unless TESTS names others.
unit-pg:
	@SLOGATE_TEST_BACKEND=postgres $(MAKE) --no-print-directory unit \
	    TESTS="$(or $(TESTS),$(UNIT_DB))"

integration-pg:
	@SLOGATE_TEST_BACKEND=postgres $(MAKE) --no-print-directory integration

# what `make test` runs after the SQLite runs (asan leaves them out)
TEST_PG ?= unit-pg integration-pg

# deps first, in its own make, so pkg-config sees what it installed
test:
	@sh scripts/deps.sh
	@sh scripts/check-layers.sh
	@$(MAKE) --no-print-directory all $(BUILD)/bench/bench_history
	@$(MAKE) --no-print-directory unit fuzz-replay integration $(TEST_PG)

demo:
	@sh scripts/deps.sh
	@$(MAKE) --no-print-directory all $(BUILD)/tests/gen_series
	@sh scripts/demo.sh

# every report aborts the run (UBSan alone would print and go on)
SAN := -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all
asan:
	$(MAKE) BUILD=build/asan CFLAGS="-O1 -g $(SAN) -fno-omit-frame-pointer" \
	    LDFLAGS="$(SAN)" TEST_PG= test

# the unit tests, and the CLI's integration tests with build/slogate run
# under memcheck (tests/valgrind-slogate.sh); any error or leak fails
VG := valgrind -q --error-exitcode=99 --leak-check=full \
      --errors-for-leak-kinds=definite,indirect,possible
VG_INTEG := test_check test_history test_prom_faults
valgrind:
	@sh scripts/deps.sh
	@$(MAKE) --no-print-directory all $(BUILD)/tests/gen_series $(UNIT_BIN) \
	    $(VG_INTEG:%=$(BUILD)/tests/%)
	@# open to all: a test runs slogate as nobody to meet file modes
	@rm -rf $(BUILD)/valgrind && mkdir -p -m 1777 $(BUILD)/valgrind
	@fail=0; for t in $(UNIT_BIN); do echo "== valgrind $$t"; \
	  $(VG) $$t || fail=1; done; \
	for t in $(VG_INTEG); do echo "== $$t, slogate under valgrind"; \
	  SLOGATE_BIN=$(CURDIR)/tests/valgrind-slogate.sh \
	  SLOGATE_REAL_BIN=$(CURDIR)/$(BUILD)/slogate \
	  SLOGATE_VALGRIND_LOGS=$(CURDIR)/$(BUILD)/valgrind \
	  SLOGATE_GEN=$(BUILD)/tests/gen_series SLOGATE_TOP=$(CURDIR) \
	  $(BUILD)/tests/$$t || fail=1; done; \
	for l in $(BUILD)/valgrind/*.log; do \
	  if [ -s "$$l" ]; then echo "== $$l"; cat "$$l"; fail=1; fi; done; \
	exit $$fail

# One libFuzzer run of $(1) for FUZZ_SECONDS, on a copy of its corpus in
# build/fuzz/corpus (what it finds there stays out of the repository; a
# finding joins tests/fuzz/corpus by hand). Crashes, leaks, sanitizer
# reports and inputs slower than 10s fail, written to build/fuzz/findings.
define fuzz_run
echo "== fuzz_$(1): $(FUZZ_SECONDS)s"; \
mkdir -p build/fuzz/corpus/$(1) build/fuzz/findings/$(1); \
cp -u tests/fuzz/corpus/$(1)/* build/fuzz/corpus/$(1)/; \
build/fuzz/fuzzers/fuzz_$(1) -max_total_time=$(FUZZ_SECONDS) \
    -max_len=$(FUZZ_MAXLEN_$(1)) -timeout=10 -print_final_stats=1 \
    -artifact_prefix=build/fuzz/findings/$(1)/ build/fuzz/corpus/$(1)
endef

# one fuzzer at a time, each gets the machine; FUZZ_RUN=api runs just one
fuzz:
	@sh scripts/deps.sh
	@$(MAKE) --no-print-directory BUILD=build/fuzz CC=clang \
	    CFLAGS="-g -O1 -fno-omit-frame-pointer $(FUZZ_SAN) -fsanitize=fuzzer-no-link" \
	    LDFLAGS="$(FUZZ_SAN)" fuzzers
	@set -e; $(foreach t,$(FUZZ_RUN),$(call fuzz_run,$(t));)

# a lower layer of gate/ never includes a higher one (scripts/check-layers.sh)
layers:
	@sh scripts/check-layers.sh

# cppcheck reads no system headers: scripts/cppcheck-macros.h gives it
# cJSON's loop macro
lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	    --std=c11 -Igate --include=scripts/cppcheck-macros.h gate

install: $(BUILD)/slogate
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/queries $(DESTDIR)$(DATADIR)/policies
	install -m 755 $(BUILD)/slogate $(DESTDIR)$(BINDIR)/slogate
	install -m 644 queries/*.promql $(DESTDIR)$(DATADIR)/queries/
	install -m 644 policies/*.json $(DESTDIR)$(DATADIR)/policies/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/slogate
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build

-include $(wildcard $(BUILD)/obj/*/*.d $(BUILD)/tests/*.d $(BUILD)/tests/fuzz/*.d \
    $(BUILD)/fuzzers/*.d)
