# mk/monitor.mk - low-income population monitoring (issue 7): the data
# matching CLI suite on both backends (tests/cli/test_match.sh: planted cases,
# rejects, re-runs), and the side-by-side benchmark (bench/match.sh, part of
# `make bench`).
TEST_SUITES += monitor-test

.PHONY: monitor-test monitor-bench

monitor-test: $(TBUILD)/doudi
	@echo "-- data matching CLI tests on SQLite"
	DOUDI=$(TBUILD)/doudi bash tests/cli/test_match.sh
	@echo "-- data matching CLI tests on PostgreSQL"
	DOUDI=$(TBUILD)/doudi bash tests/pg.sh bash tests/cli/test_match.sh

monitor-bench: bench-deps $(BUILD)/doudi
	bash bench/match.sh
