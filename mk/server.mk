# mk/server.mk - the HTTP server (`doudi serve`): its API tests (Node's
# built-in test runner against a real server built with sanitizers, on a
# fresh SQLite store and then on a throwaway PostgreSQL server, tests/pg.sh)
# and the unit test of its pure parts (router, cookies, error bodies), which
# links those src/http files too. Included by the Makefile.
TEST_SUITES += api-test

HTTP_PURE_SRC := src/http/router.c src/http/cookie.c src/http/reply.c src/http/query.c src/http/webfiles.c src/http/ratelimit.c

$(TBUILD)/test_http: tests/unit/test_http.c $(HTTP_PURE_SRC) $(LIB_OBJ) $(wildcard src/*/*.h) | $(TBUILD)
	$(CC) $(CSTD) $(WARN) -O1 -g $(SAN) $(BANNED) $(PKG_CFLAGS) -Isrc $< $(HTTP_PURE_SRC) $(LIB_OBJ) -o $@ -lcmocka $(PKG_LIBS) -pthread

.PHONY: api-test

API_TESTS := $(wildcard tests/api/*.test.mjs)

api-test: $(TBUILD)/doudi
	@echo "-- API tests on SQLite"
	DOUDI=$(TBUILD)/doudi node --test $(API_TESTS)
	@echo "-- API tests on PostgreSQL"
	DOUDI=$(TBUILD)/doudi bash tests/pg.sh node --test $(API_TESTS)
