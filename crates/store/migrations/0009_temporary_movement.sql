-- Temporary movement and the lead employer arrangement (issue 7, part B).
--
-- The lead employer whose pre-employment checks the receiving (host) trust accepts for a
-- request, by ODS code; NULL: none, every check judged by the ordinary rules.
ALTER TABLE transfer_requests ADD COLUMN lead_employer TEXT;

-- A temporary movement: the person stays employed by `home_org` and works at `org` for
-- [start_date, end_date] (both inclusive, YYYY-MM-DD) on an honorary contract, a secondment, a
-- licence to attend, or shifts of a collaborative bank (`bank`: the configured bank both
-- organisations belong to). The passport is verified through the transfer request `request_id`
-- (one per movement); HR's acceptance makes the movement `active`, rejection `rejected`; an
-- active movement becomes `ended` on the day after its end date (the server's scheduled task)
-- or earlier by HR. Kind and period are kept here as well as on the request: they are the
-- arrangement's record, and outlive the request's presentation data, which the retention
-- policy deletes counted from `ended_at` (see `crates/store/src/temporary.rs`).
CREATE TABLE temporary_movements (
    id TEXT PRIMARY KEY,
    org TEXT NOT NULL REFERENCES organisations (ods_code),
    request_id TEXT NOT NULL UNIQUE REFERENCES transfer_requests (id),
    kind TEXT NOT NULL,
    home_org TEXT NOT NULL,
    bank TEXT,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    state TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    decided_by TEXT,
    decided_at BIGINT,
    ended_by TEXT,
    ended_at BIGINT,
    end_reason TEXT,
    end_note TEXT
);
CREATE INDEX temporary_movements_by_org ON temporary_movements (org, state, start_date);
CREATE INDEX temporary_movements_due ON temporary_movements (state, end_date);
