# mk/demo.mk - the demo of `make run` (tools/demo.py): built small
# (DEMO_HOUSEHOLDS, default 300) with the sanitizer build and checked by
# tests/demo/demo.test.mjs. Included by the Makefile.
TEST_SUITES += demo-test

.PHONY: demo-test

demo-test: $(TBUILD)/doudi
	DOUDI=$(TBUILD)/doudi DEMO_HOUSEHOLDS=$${DEMO_HOUSEHOLDS:-300} node --test tests/demo/demo.test.mjs
