-- Data governance for rotations and e-mail (issue 6, closing the gaps between 0007, 0006 and
-- 0008).
--
-- A rotation row holds what the rotation list said about one doctor. When its transfer request
-- is purged (retention or erasure), the row loses the doctor's names, e-mail and GMC number in
-- the same transaction; `purged_at` says when. `gmc_number` is NOT NULL and unique within a
-- changeover, so a purged row holds its own id there (an id, never a GMC number), and the store
-- never hands it out as one. Kept: the changeover, the line, grade, specialty, site, the
-- placement dates, the role profile and the reminder counts, which describe the post rather than
-- the person and carry the cohort's historic figures; and `kept_outcome`, the report's lines
-- cut down to requirement key, requirement label and status kind (JSON: [{"key", "requirement",
-- "kind"}]), with no evidence, dates, reasons or notes, so the dashboard still counts where
-- the doctor stood.
ALTER TABLE rotation_rows ADD COLUMN purged_at BIGINT;
ALTER TABLE rotation_rows ADD COLUMN kept_outcome TEXT;

-- Rows whose request was purged before this migration lose their details now (their report is
-- gone already, so nothing of it can be kept).
UPDATE rotation_rows SET gmc_number = id, forenames = '', surname = '', email = '',
    purged_at = (SELECT t.purged_at FROM transfer_requests t WHERE t.id = rotation_rows.request_id)
    WHERE request_id IN (SELECT id FROM transfer_requests WHERE purged_at IS NOT NULL);

-- E-mails by recipient, for subject access and erasure (matched by address, letter case aside),
-- and by when they finished, for the mail retention period.
CREATE INDEX outbox_mail_by_address ON outbox_mail (org, LOWER(to_addr));
CREATE INDEX outbox_mail_finished ON outbox_mail (org, state, finished_at);
