# mk/web.mk - the web interface (web/: Vue 3, Element Plus, Vite) built into
# web/dist, which `doudi serve` serves. `npm ci` runs only when the lock file
# changed (stamp in web/node_modules), `npm run build` only when a source did.
# Included by the Makefile; `all` (and so `make run`) builds it.

# Debian's nodejs comes without npm (package npm); NodeSource's nodejs bundles
# it, and installing Debian's npm beside it would conflict: only when missing.
DEPS_PKGS += $(if $(shell command -v npm 2>/dev/null),,npm)

WEB_STAMP := web/node_modules/.doudi-npm-ci
WEB_SRC := $(shell find web/src -type f 2>/dev/null) web/index.html web/vite.config.js web/package.json

.PHONY: web web-clean

all: web

web: web/dist/index.html

$(WEB_STAMP): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

web/dist/index.html: $(WEB_SRC) $(WEB_STAMP)
	cd web && npm run build
	touch $@

clean: web-clean
web-clean:
	rm -rf web/dist
