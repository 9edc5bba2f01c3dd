-- 004_registry.sql - the registry API (issue 4, item 3).
-- A household's contact phone (PATCH /api/v1/households/{id}).
ALTER TABLE households ADD COLUMN phone TEXT;
-- Name search by prefix: in byte order (the placeholder below is COLLATE BINARY
-- on SQLite, COLLATE "C" on PostgreSQL), so `name >= q AND name < q || U+10FFFF` is an
-- index range whatever the database's locale.
CREATE INDEX persons_name ON persons (name @BYTES@);
-- (An index for the last 4-6 characters of ID numbers was measured and left
-- out: it slowed the import by a quarter; that search scans the members of the
-- caller's scope instead.)
