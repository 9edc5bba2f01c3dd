# doudi - build, test, bench. `make run` and `make test` are the two commands.
CC      ?= cc
CSTD    := -std=c11 -D_POSIX_C_SOURCE=200809L
WARN    := -Wall -Wextra -Werror -Wshadow -Wvla
BANNED  :=
CFLAGS  ?= -O2 -g
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
DEPS_PKGS := build-essential pkg-config libcmocka-dev clang libclang-rt-14-dev python3 \
             libsqlite3-dev sqlite3 libpq-dev postgresql libsodium-dev libmicrohttpd-dev nodejs \
             libxlsxwriter-dev libminizip-dev libexpat1-dev
# libraries linked through pkg-config (evaluated when used, after make deps)
PKGS    := sqlite3 libpq libsodium libmicrohttpd xlsxwriter minizip expat
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CORE_SRC := $(wildcard src/core/*.c)
STORE_SRC := $(wildcard src/store/*.c)
SERVICE_SRC := $(wildcard src/service/*.c)
LIB_SRC  := $(CORE_SRC) $(STORE_SRC) $(SERVICE_SRC)
CLI_SRC  := $(wildcard src/cli/*.c) $(wildcard src/http/*.c) src/cli/default_policy.S
UNIT_SRC := $(wildcard tests/unit/test_*.c)

BUILD := build
TBUILD := build/test

.PHONY: all deps bench-deps bench-server run test unit cli-test fuzz fuzz-smoke bench clean format check-policy check-banned

all: $(BUILD)/doudi

# apt_install NAME,PACKAGES: installs those of PACKAGES that are missing
define apt_install
	@missing=""; for p in $(2); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	else echo "$(1): all present"; fi
endef

deps:
	$(call apt_install,deps,$(DEPS_PKGS))

# what only `make bench` needs: the HTTP load generator and a client for the logins
BENCH_PKGS := wrk curl
bench-deps: deps
	$(call apt_install,bench-deps,$(BENCH_PKGS))

$(BUILD)/doudi: $(LIB_SRC) $(CLI_SRC) $(wildcard src/*/*.h) policy/default.json policy/calendar-cn.json | $(BUILD)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) -pthread $(PKG_CFLAGS) -Isrc $(LIB_SRC) $(CLI_SRC) -o $@ $(PKG_LIBS)

$(BUILD) $(TBUILD):
	mkdir -p $@

# The library compiled once with sanitizers (one object per source file),
# linked into every unit test binary.
LIB_OBJ := $(patsubst %.c,$(TBUILD)/obj/%.o,$(LIB_SRC))
$(TBUILD)/obj/%.o: %.c $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) -O1 -g $(SAN) $(BANNED) $(PKG_CFLAGS) -Isrc -c $< -o $@
# the migrations are embedded with .incbin
$(TBUILD)/obj/src/store/schema.o: $(wildcard schema/*.sql)
# kept between runs (not intermediate files make would delete)
.SECONDARY: $(LIB_OBJ)

# Unit tests: each tests/unit/test_X.c is its own binary, built with sanitizers.
$(TBUILD)/%: tests/unit/%.c $(LIB_OBJ) $(wildcard src/*/*.h) | $(TBUILD)
	$(CC) $(CSTD) $(WARN) -O1 -g $(SAN) $(BANNED) $(PKG_CFLAGS) -Isrc $< $(LIB_OBJ) -o $@ -lcmocka $(PKG_LIBS) -pthread

UNIT_BIN := $(patsubst tests/unit/%.c,$(TBUILD)/%,$(UNIT_SRC))

unit: $(UNIT_BIN)
	@fail=0; pass=0; for t in $(UNIT_BIN); do \
	  if ./$$t >$$t.log 2>&1; then pass=$$((pass+1)); echo "PASS $$t"; \
	  else fail=$$((fail+1)); echo "FAIL $$t"; cat $$t.log; fi; done; \
	echo "unit: $$pass passed, $$fail failed"; [ $$fail -eq 0 ]

# The CLI built with sanitizers, for the contract tests.
$(TBUILD)/doudi: $(LIB_SRC) $(CLI_SRC) $(wildcard src/*/*.h) policy/default.json policy/calendar-cn.json | $(TBUILD)
	$(CC) $(CSTD) $(WARN) -O1 -g $(SAN) $(PKG_CFLAGS) -Isrc $(LIB_SRC) $(CLI_SRC) -o $@ $(PKG_LIBS) -pthread

cli-test: $(TBUILD)/doudi
	DOUDI=$(TBUILD)/doudi bash tests/cli/test_assess.sh

$(BUILD)/bench_engine: bench/bench_engine.c $(CORE_SRC) $(wildcard src/core/*.h) src/cli/default_policy.S policy/default.json | $(BUILD)
	$(CC) $(CSTD) $(WARN) -O2 -g -Isrc bench/bench_engine.c $(CORE_SRC) src/cli/default_policy.S -o $@

bench: bench-deps all $(BUILD)/bench_engine
	bash bench/run.sh
	bash bench/store.sh
	bash bench/payroll.sh
	bash bench/match.sh
	bash bench/stats.sh
	bash bench/server.sh

# the server part alone (durations: BENCH_SERVER_SECONDS, SOAK_SECONDS; BENCH_PG=1 for PostgreSQL)
bench-server: bench-deps all
	bash bench/server.sh

# libFuzzer targets (clang). `make fuzz` runs each for FUZZ_SECONDS;
# `make test` runs each for a few seconds as a smoke.
FUZZ_TARGETS := $(patsubst fuzz/%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 60
FUZZ_BIN := $(patsubst %,$(BUILD)/fuzz/%,$(FUZZ_TARGETS))

$(BUILD)/fuzz/%: fuzz/%.c $(CORE_SRC) $(wildcard src/core/*.h) src/cli/default_policy.S
	@mkdir -p $(BUILD)/fuzz
	clang $(CSTD) $(WARN) -O1 -g -fsanitize=fuzzer,address,undefined -Isrc $< $(CORE_SRC) src/cli/default_policy.S -o $@

# Targets over service readers that need no store: those sources and their
# libraries on top of core (an explicit rule, preferred to the pattern above).
FUZZ_XLSX_SRC := src/service/xlsx_in.c src/service/tabular_in.c
FUZZ_XLSX_PKGS := minizip expat
$(BUILD)/fuzz/fuzz_xlsx_in: fuzz/fuzz_xlsx_in.c $(CORE_SRC) $(FUZZ_XLSX_SRC) $(wildcard src/core/*.h) \
		src/service/xlsx_in.h src/service/tabular_in.h src/cli/default_policy.S
	@mkdir -p $(BUILD)/fuzz
	clang $(CSTD) $(WARN) -O1 -g -fsanitize=fuzzer,address,undefined $$(pkg-config --cflags $(FUZZ_XLSX_PKGS)) -Isrc \
	  $< $(CORE_SRC) $(FUZZ_XLSX_SRC) src/cli/default_policy.S -o $@ $$(pkg-config --libs $(FUZZ_XLSX_PKGS) zlib)

fuzz: $(FUZZ_BIN)
	@for t in $(FUZZ_TARGETS); do mkdir -p $(BUILD)/fuzz/corpus-$$t; \
	  echo "fuzzing $$t for $(FUZZ_SECONDS) s"; \
	  if ! $(BUILD)/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -max_len=8192 -artifact_prefix=$(BUILD)/fuzz/ \
	       $(BUILD)/fuzz/corpus-$$t tests/data/fuzz-seeds >$(BUILD)/fuzz/$$t.log 2>&1; then \
	    tail -40 $(BUILD)/fuzz/$$t.log; echo "FUZZ FAILURE in $$t"; exit 1; fi; \
	  tail -1 $(BUILD)/fuzz/$$t.log; done

fuzz-smoke:
	$(MAKE) fuzz FUZZ_SECONDS=$${FUZZ_SMOKE_SECONDS:-5}

check-banned:
	sh tools/check_banned.sh

check-policy:
	python3 tools/policy_doc.py --check

# Suites run by `make test`, in order; mk/*.mk files add theirs with TEST_SUITES +=.
TEST_SUITES := unit cli-test
-include $(sort $(wildcard mk/*.mk))
TEST_SUITES += fuzz-smoke check-policy check-banned

test: deps
	@for s in $(TEST_SUITES); do echo "== $$s"; $(MAKE) --no-print-directory $$s || exit 1; done
	@echo "all test suites passed"

# The demo (tools/demo.py): a synthetic 开州区 built once through the real
# endpoints into $(DEMO_DB) (kept on re-runs), the logins, then the server on
# 127.0.0.1 (with the web UI when web/dist is built).
DEMO_DB ?= var/demo.db
DEMO_PASSWORD ?= Demo-Admin-2026
DEMO_HOUSEHOLDS ?= 20000
PORT ?= 8080
run: deps all
	@DEMO_PASSWORD='$(DEMO_PASSWORD)' python3 tools/demo.py --db $(DEMO_DB) --doudi $(BUILD)/doudi --households $(DEMO_HOUSEHOLDS)
	@DEMO_PASSWORD='$(DEMO_PASSWORD)' python3 tools/demo.py --print-logins --url http://127.0.0.1:$(PORT)/
	./$(BUILD)/doudi serve --db $(DEMO_DB) --host 127.0.0.1 --port $(PORT)

format:
	clang-format -i src/*/*.[ch] tests/unit/*.c

clean:
	rm -rf $(BUILD)
