-- 004_registry.sql - the registry API (issue 4, item 3). Re-runnable, as every
-- migration after 001 (tests/cli/test_store.sh runs them again).
-- Name search by prefix: in byte order (the placeholder below is COLLATE BINARY
-- on SQLite, COLLATE "C" on PostgreSQL), so `name >= q AND name < q || U+10FFFF`
-- is an index range whatever the database's locale.
CREATE INDEX IF NOT EXISTS persons_name ON persons (name @BYTES@);
-- (An index for the last 4-6 characters of ID numbers was measured and left
-- out: it slowed the import by about a third of its write time; that search
-- scans the members of the caller's scope instead.)
