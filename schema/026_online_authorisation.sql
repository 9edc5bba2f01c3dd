-- 026_online_authorisation.sql - the household economic verification
-- authorisation signed online in the citizen portal (issue 9 §1): the ID
-- numbers of the members who ticked their consent when applying, as a JSON
-- array, one row per online application that has any; accepting the
-- application records one authorisation (method online) for each of them
-- (service/verification.h verification_authorise_online). Re-runnable.
CREATE TABLE IF NOT EXISTS online_verification_signers (
	online_application_id @KEY64@ REFERENCES online_applications (id),
	signers TEXT NOT NULL
);
