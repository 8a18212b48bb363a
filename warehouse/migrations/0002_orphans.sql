-- Orphans (DOMAIN.md §3 "A late parent releases its orphans"): a row
-- rejected because a project or a community it points to was not known
-- yet waits in raw.orphans, one row per missing reference. When a later
-- submission brings the parent, the row's reference problems in
-- raw.rejects name the submission that released them (released_by), and
-- a row rejected only for its references is loaded from the archived
-- file with its original lineage; a row with other errors too (blocked)
-- stays out for those. marts.rejects lists only the problems that still
-- stand.
ALTER TABLE raw.rejects ADD COLUMN released_by BIGINT;
ALTER TABLE raw.rejects ADD COLUMN released_at TIMESTAMP;

CREATE TABLE raw.orphans (
    submission_id BIGINT NOT NULL,   -- the submission of the waiting row
    sheet         VARCHAR NOT NULL,  -- empty for CSV
    "row"         INTEGER NOT NULL,  -- as in raw.rejects
    kind          VARCHAR NOT NULL,  -- the kind of the waiting row
    parent        VARCHAR NOT NULL,  -- project | community
    year          INTEGER NOT NULL,  -- the year the parent must exist in
    code          VARCHAR NOT NULL,  -- project_code or community_code
    blocked       BOOLEAN NOT NULL,  -- the row has other errors: it stays out when released
    released_by   BIGINT             -- NULL while the row waits
);

-- A hostile file of a million bad rows must not write a million rejects:
-- a file records at most 100 000 problems, and counts the rest here.
ALTER TABLE raw.submissions ADD COLUMN problems_unrecorded INTEGER DEFAULT 0;
