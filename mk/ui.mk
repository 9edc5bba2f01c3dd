# mk/ui.mk - browser tests of the web interface: Node's test runner and
# playwright-core (a devDependency in web/) driving Debian's chromium,
# headless, against a fresh store and a real `doudi serve` built with
# sanitizers. Screenshots go to tests/e2e/screenshots/ (ignored by git). Chromium (and a Chinese font for
# the screenshots) are installed by `ui-deps` only: `make run` needs neither.
TEST_SUITES += ui-test

UI_PKGS := chromium fonts-wqy-microhei
UI_TESTS := $(wildcard tests/ui/*.test.mjs)

.PHONY: ui-deps ui-test

ui-deps:
	$(call apt_install,ui-deps,$(UI_PKGS))

ui-test: ui-deps web $(TBUILD)/doudi
	@mkdir -p tests/e2e/screenshots
	DOUDI=$(TBUILD)/doudi node --test $(UI_TESTS)
