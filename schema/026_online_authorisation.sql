-- 026_online_authorisation.sql - the household economic verification
-- authorisation signed online in the citizen portal (issue 9 §1): the ID
-- numbers of the members who ticked their consent when applying, as a JSON
-- array; accepting the application records one authorisation (method online)
-- for each of them (service/verification.h verification_authorise_online).
ALTER TABLE online_applications ADD COLUMN verification_signers TEXT;
