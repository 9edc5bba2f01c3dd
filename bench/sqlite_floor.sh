#!/usr/bin/env bash
# bench/sqlite_floor.sh SRC.db PERSONS: the ceiling SQLite itself sets on the
# household import (issue 3), with the store's schema, on this machine.
#
# The rows a finished import stored in SRC.db (households, persons,
# memberships, incomes and their audit rows) are copied into a fresh store
# (`doudi init`) by INSERT … SELECT inside one sqlite3 process: no file to read,
# no CSV, no validation, no binding, one transaction. The copy sets the
# non-unique indexes of those tables aside and builds them again afterwards,
# as the import's bulk mode does, so it measures only what SQLite must do to
# store those rows with that schema. Three runs:
#   safe   crash-safe as a single transaction can be at the least cost: a
#          rollback journal (pages new to the file are not journalled, and
#          nothing is written twice as with a WAL), synchronous=FULL, foreign
#          keys on;
#   unsafe no journal, synchronous=OFF, foreign keys off (no crash safety at
#          all; no import may run like this, it only bounds the engine);
#   slim   unsafe, and only the indexes the store cannot do without (the
#          unique ones and the region-code ones IMPORT.md/issue 3 ask for):
#          what dropping the query indexes (name search, a household's
#          members and incomes, a person's history, an entity's audit rows)
#          would buy at most.
# Each prints wall seconds and persons/s for PERSONS persons.
set -euo pipefail
src=$1
P=$2
dir=$(dirname "$src")
tables="'households','persons','memberships','incomes','audit_log'"

floor() { # floor LABEL SETTINGS KEEP_SQL
	local label=$1 settings=$2 keep=$3 dst="$dir/floor.db"
	rm -f "$dst" "$dst-wal" "$dst-shm"
	build/doudi init --db "$dst" --admin-password-file "$dir/pw" >/dev/null
	# the indexes set aside: every non-unique one of the tables, less KEEP
	local drop create
	drop=$(sqlite3 "$dst" "SELECT 'DROP INDEX ' || name || ';' FROM sqlite_master WHERE type = 'index' AND tbl_name IN ($tables) AND sql NOT LIKE 'CREATE UNIQUE%'")
	create=$(sqlite3 "$dst" "SELECT sql || ';' FROM sqlite_master WHERE type = 'index' AND tbl_name IN ($tables) AND sql NOT LIKE 'CREATE UNIQUE%' AND NOT ($keep)")
	local t0 t1
	t0=$(date +%s.%N)
	sqlite3 "$dst" >/dev/null <<EOF
$settings
PRAGMA cache_size=-262144; PRAGMA mmap_size=1073741824;
ATTACH '$src' AS src;
$drop
BEGIN;
INSERT INTO households SELECT * FROM src.households WHERE true;
INSERT INTO persons SELECT * FROM src.persons WHERE true;
INSERT INTO memberships SELECT * FROM src.memberships WHERE true;
INSERT INTO incomes SELECT * FROM src.incomes WHERE true;
INSERT INTO audit_log SELECT * FROM src.audit_log WHERE seq > (SELECT max(seq) FROM main.audit_log);
COMMIT;
$create
EOF
	t1=$(date +%s.%N)
	local got
	got=$(sqlite3 "$dst" "SELECT count(*) FROM persons")
	[ "$got" = "$P" ] || { echo "floor: $got persons copied, not $P" >&2; return 1; }
	python3 -c "s=$t1-$t0; print(f'SQLite floor, $label: {s:.2f} s, {$P/s:,.0f} persons/s')"
	rm -f "$dst" "$dst-wal" "$dst-shm"
}

floor "safe (rollback journal, synchronous=FULL, foreign keys on; every index)" \
	"PRAGMA journal_mode=TRUNCATE; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;" "0"
floor "unsafe (no journal, no sync, no foreign keys; every index)" \
	"PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA foreign_keys=OFF;" "0"
floor "slim (unsafe, and only the unique and region-code indexes)" \
	"PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA foreign_keys=OFF;" "name NOT LIKE '%_region'"
