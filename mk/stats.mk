# mk/stats.mk - the monthly statistics (issue 8): the CLI suite on both
# backends (tests/cli/test_stats.sh: the figures against an independent
# computation from the raw rows, CSV and XLSX, scope, snapshots), and the
# province-scale build benchmark on PostgreSQL (bench/stats.sh, part of
# `make bench`).
TEST_SUITES += stats-test

.PHONY: stats-test stats-bench

stats-test: $(TBUILD)/doudi
	@echo "-- statistics CLI tests on SQLite"
	DOUDI=$(TBUILD)/doudi bash tests/cli/test_stats.sh
	@echo "-- statistics CLI tests on PostgreSQL"
	DOUDI=$(TBUILD)/doudi bash tests/pg.sh bash tests/cli/test_stats.sh

stats-bench: $(BUILD)/doudi
	bash bench/stats.sh
