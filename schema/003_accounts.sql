-- 003_accounts.sql - login throttling for the server (issue 4).
-- One row per throttled key: 'user:<username>' (also for unknown names, so a
-- lockout does not reveal which accounts exist) and 'ip:<address>'. failures
-- counts failed logins since window_start; locked_until is set when the count
-- reaches the limit. A successful login removes the user's row.
CREATE TABLE IF NOT EXISTS login_throttle (
	throttle_key TEXT PRIMARY KEY,
	failures INTEGER NOT NULL DEFAULT 0,
	window_start TEXT NOT NULL,
	locked_until TEXT
);
