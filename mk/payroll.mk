# mk/payroll.mk - the payroll suite (issue 6): the CLI tests of the checks
# before approval and the subsidy campaigns over a generated roll, on SQLite
# and then on a throwaway PostgreSQL server (tests/pg.sh). Included by the
# Makefile.
TEST_SUITES += payroll-test

.PHONY: payroll-test

payroll-test: $(TBUILD)/doudi
	@echo "-- payroll CLI tests on SQLite"
	DOUDI=$(TBUILD)/doudi bash tests/cli/test_payroll.sh
	@echo "-- payroll CLI tests on PostgreSQL"
	DOUDI=$(TBUILD)/doudi bash tests/pg.sh bash tests/cli/test_payroll.sh
