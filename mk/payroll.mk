# mk/payroll.mk - payroll (issue 6): the CLI suites on both backends
# (generation: tests/cli/test_payroll.sh; checks before approval and subsidy
# campaigns: tests/cli/test_payroll_checks.sh; epidemic patient aid and staged
# temporary assistance: tests/cli/test_payroll_epidemic.sh), and the province-scale
# benchmark (bench/payroll.sh, part of `make bench`).
TEST_SUITES += payroll-test

.PHONY: payroll-test payroll-bench

payroll-test: $(TBUILD)/doudi
	@echo "-- payroll CLI tests on SQLite"
	DOUDI=$(TBUILD)/doudi bash tests/cli/test_payroll.sh
	DOUDI=$(TBUILD)/doudi bash tests/cli/test_payroll_checks.sh
	DOUDI=$(TBUILD)/doudi bash tests/cli/test_payroll_epidemic.sh
	@echo "-- payroll CLI tests on PostgreSQL"
	DOUDI=$(TBUILD)/doudi bash tests/pg.sh bash tests/cli/test_payroll.sh
	DOUDI=$(TBUILD)/doudi bash tests/pg.sh bash tests/cli/test_payroll_checks.sh
	DOUDI=$(TBUILD)/doudi bash tests/pg.sh bash tests/cli/test_payroll_epidemic.sh

payroll-bench: $(BUILD)/doudi
	bash bench/payroll.sh
