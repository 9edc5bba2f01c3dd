-- 008: indexes for the staff workbench (GET /api/v1/workbench), which counts
-- and sums over a whole county in one request. Each serves one of its
-- grouped queries from the index alone (covering), over the caller's
-- region range. Re-runnable: IF NOT EXISTS on both backends.
-- The open cases by state, due today and overdue, and the due list.
CREATE INDEX IF NOT EXISTS applications_open ON applications (region_code, state, due_date)
	WHERE closed_at IS NULL;
-- The caseload: cases opened per month and programme.
CREATE INDEX IF NOT EXISTS applications_created ON applications (region_code, created_at, programme);
-- The caseload: cases approved and rejected per month and programme.
CREATE INDEX IF NOT EXISTS applications_decided ON applications (region_code, decided_at, programme, state)
	WHERE decided_at IS NOT NULL;
-- The payments per month: one seek per period, then the region range.
CREATE INDEX IF NOT EXISTS payments_period ON payments (period, region_code, programme, state, amount);
