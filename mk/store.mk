# mk/store.mk - the store suite: the store unit tests and the CLI tests for
# init / audit verify / backup, each on SQLite and then on a throwaway
# PostgreSQL server (tests/pg.sh). Included by the Makefile.
TEST_SUITES += store-test

# the migrations are embedded with .incbin: rebuild when they change
SCHEMA_SQL := $(wildcard schema/*.sql)
$(BUILD)/doudi $(TBUILD)/doudi $(UNIT_BIN): $(SCHEMA_SQL)

.PHONY: store-test store-bench

store-test: $(TBUILD)/test_store $(TBUILD)/doudi $(BUILD)/doudi
	@echo "-- store unit tests on SQLite"
	./$(TBUILD)/test_store
	@echo "-- store unit tests on PostgreSQL"
	bash tests/pg.sh ./$(TBUILD)/test_store
	@echo "-- store CLI tests on SQLite"
	DOUDI=$(TBUILD)/doudi bash tests/cli/test_store.sh
	@echo "-- store CLI tests on PostgreSQL"
	DOUDI=$(TBUILD)/doudi bash tests/pg.sh bash tests/cli/test_store.sh
	@echo "-- import CLI tests on SQLite (the crash test runs $(BUILD)/doudi)"
	DOUDI=$(TBUILD)/doudi DOUDI_FAST=$(BUILD)/doudi bash tests/cli/test_import.sh
	@echo "-- import CLI tests on PostgreSQL"
	DOUDI=$(TBUILD)/doudi DOUDI_FAST=$(BUILD)/doudi bash tests/pg.sh bash tests/cli/test_import.sh

# Bulk-insert rates (optimised build, no sanitizers): STORE_BENCH_ROWS rows of
# persons into SQLite, then into PostgreSQL.
STORE_BENCH_ROWS ?= 200000
$(BUILD)/bench_store: bench/bench_store.c $(LIB_SRC) $(SCHEMA_SQL) $(wildcard src/core/*.h src/store/*.h) | $(BUILD)
	$(CC) $(CSTD) $(WARN) -O2 -g $(PKG_CFLAGS) -Isrc bench/bench_store.c $(LIB_SRC) -o $@ $(PKG_LIBS) -pthread

store-bench: $(BUILD)/bench_store
	@tmp=$$(mktemp -d); ./$(BUILD)/bench_store "$$tmp/bench.db" $(STORE_BENCH_ROWS); rc=$$?; rm -rf "$$tmp"; \
	  [ $$rc -eq 0 ] && bash tests/pg.sh sh -c './$(BUILD)/bench_store "$$DOUDI_TEST_PG" $(STORE_BENCH_ROWS)'
