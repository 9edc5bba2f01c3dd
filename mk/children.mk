# mk/children.mk - the children's allowance (issue 10): the monthly review of
# its decisions (`doudi children review`, tests/cli/test_children_review.sh)
# on both backends.
TEST_SUITES += children-test

.PHONY: children-test

children-test: $(TBUILD)/doudi
	@echo "-- children review CLI tests on SQLite"
	DOUDI=$(TBUILD)/doudi bash tests/cli/test_children_review.sh
	@echo "-- children review CLI tests on PostgreSQL"
	DOUDI=$(TBUILD)/doudi bash tests/pg.sh bash tests/cli/test_children_review.sh
