-- 014_payments_registry_keys.sql - on PostgreSQL, payments keep their
-- foreign key to the payment they re-issue, but no longer to their batch,
-- decisions, decision lines, households and persons (issue 6).
-- PostgreSQL checks a foreign key with a locking lookup per inserted row:
-- on a roll of 200,000 households the four registry keys were 60 % of the
-- time of a month's payroll (13.4 s with them, 5.7 s without), and on
-- 2,000,000 households the batch key alone 24 s of 77 s. Nothing is lost:
-- rows of the registry are never deleted (the registry keeps its history;
-- no code path deletes a person, household, decision or line), a batch is
-- deleted only in the transaction that created it and found nothing to pay,
-- and every payment's ids are taken from a join with the very rows they
-- name. On SQLite a foreign key check is an in-process rowid lookup, and
-- the keys stay.
@PG@ALTER TABLE payments DROP CONSTRAINT IF EXISTS payments_010_batch_id_fkey;
@PG@ALTER TABLE payments DROP CONSTRAINT IF EXISTS payments_010_decision_id_fkey;
@PG@ALTER TABLE payments DROP CONSTRAINT IF EXISTS payments_010_line_id_fkey;
@PG@ALTER TABLE payments DROP CONSTRAINT IF EXISTS payments_010_household_id_fkey;
@PG@ALTER TABLE payments DROP CONSTRAINT IF EXISTS payments_010_person_id_fkey;
