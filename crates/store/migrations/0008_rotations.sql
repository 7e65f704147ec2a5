-- Rotations of doctors in training (issue 7): a receiving trust's changeover (the day a cohort
-- of doctors starts, e.g. the first Wednesday of August) and its rotation list, one row per
-- incoming doctor, each linked to the transfer request made for them. A list is imported in one
-- transaction: its rows, their transfer requests and their invitation e-mails (outbox_mail)
-- land together or not at all.

CREATE TABLE changeovers (
    id TEXT PRIMARY KEY,
    org TEXT NOT NULL REFERENCES organisations (ods_code),
    name TEXT NOT NULL,
    -- YYYY-MM-DD.
    changeover_date TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX changeovers_by_org ON changeovers (org, changeover_date);

-- One incoming doctor, as the rotation list gave them. A doctor is in a changeover once.
-- `reminders` counts the reminder e-mails queued (the invitation is not counted).
CREATE TABLE rotation_rows (
    id TEXT PRIMARY KEY,
    org TEXT NOT NULL REFERENCES organisations (ods_code),
    changeover_id TEXT NOT NULL REFERENCES changeovers (id),
    request_id TEXT NOT NULL UNIQUE REFERENCES transfer_requests (id),
    line BIGINT NOT NULL,
    gmc_number TEXT NOT NULL,
    forenames TEXT NOT NULL,
    surname TEXT NOT NULL,
    email TEXT NOT NULL,
    grade TEXT NOT NULL,
    specialty TEXT NOT NULL,
    site_code TEXT NOT NULL,
    site_name TEXT,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    role_profile TEXT NOT NULL,
    imported_at BIGINT NOT NULL,
    reminders BIGINT NOT NULL,
    last_reminded_at BIGINT,
    UNIQUE (changeover_id, gmc_number)
);
CREATE INDEX rotation_rows_by_changeover ON rotation_rows (org, changeover_id);
