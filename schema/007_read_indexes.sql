-- 007: covering indexes for the household detail read (registry view).
-- The detail page reads a household's memberships and incomes by household_id;
-- with these the rows come from the index alone, without visiting the table.
-- They replace the plain household_id indexes of 001, which they cover.
-- Re-runnable: IF NOT EXISTS / IF EXISTS on both backends.
CREATE INDEX IF NOT EXISTS memberships_household_cover ON memberships (household_id, to_date, person_id, relation);
DROP INDEX IF EXISTS memberships_household;
CREATE INDEX IF NOT EXISTS incomes_household_cover ON incomes (household_id, to_month, person_id, type, amount, period, imputed);
DROP INDEX IF EXISTS incomes_household;
