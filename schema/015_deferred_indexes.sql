-- 015_deferred_indexes.sql - secondary indexes set aside by a bulk import
-- (issue 3). An import much larger than the store drops the non-unique
-- indexes of the tables it fills in its first chunk's transaction, records
-- each one's CREATE statement here in that same transaction, and creates
-- them again (and deletes the rows) in its last transaction: building an
-- index once over a million rows is several times faster than keeping it up
-- to date row by row. Unique indexes are never set aside. A run that stops
-- half way (killed, power cut) leaves the rows here; every `doudi init`,
-- import, audit verify and server start creates the recorded indexes again
-- before doing anything else (store_restore_indexes).
CREATE TABLE IF NOT EXISTS deferred_indexes (
	name TEXT PRIMARY KEY,
	table_name TEXT NOT NULL,
	ddl TEXT NOT NULL,
	deferred_at TEXT NOT NULL
);
