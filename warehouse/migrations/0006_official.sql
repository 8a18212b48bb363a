-- Official numbers (issue #14, package shequ/official): the city's profile
-- and policy as governed settings with their history, and the years a
-- bureau has closed, each version frozen with its sign-off.
--
-- Settings are never updated in place: every change is a new row with who
-- made it, when and why; the value in force is the latest row of its key
-- (settings.current), or the built-in default when a key has none.
CREATE SCHEMA IF NOT EXISTS settings;

CREATE TABLE settings.changes (
    change_id BIGINT    NOT NULL PRIMARY KEY, -- 1, 2, … in the order made
    key       VARCHAR   NOT NULL,             -- city.name, city.code, city.bureau, district.<区名>, doc.<NNN>.number, doc.<NNN>.title
    value     VARCHAR,                        -- NULL: back to the default (or a district removed)
    set_by    VARCHAR   NOT NULL,
    set_at    TIMESTAMP NOT NULL,             -- UTC
    reason    VARCHAR   NOT NULL
);

CREATE VIEW settings.current AS
SELECT key, value, set_by, set_at, reason, change_id
FROM settings.changes
QUALIFY row_number() OVER (PARTITION BY key ORDER BY change_id DESC) = 1;

-- Every policy change: an override file shaped like one policy table
-- (models/policy/schema.yaml), kept whole. The policy in force is the
-- built-in defaults (version 0) with every change applied in order; its
-- version is the number of the last change.
CREATE TABLE settings.policy_changes (
    policy_version INTEGER   NOT NULL PRIMARY KEY,
    policy_table   VARCHAR   NOT NULL,
    file           VARCHAR   NOT NULL,  -- the file's name as given
    content        VARCHAR   NOT NULL,  -- the CSV as applied (a source column added when it had none)
    sha256         VARCHAR   NOT NULL,  -- of content
    rows           INTEGER   NOT NULL,
    set_by         VARCHAR   NOT NULL,
    set_at         TIMESTAMP NOT NULL,  -- UTC
    reason         VARCHAR   NOT NULL
);

-- Closed years. A close freezes a year as version 1, a restatement adds
-- version 2, 3 …; a version is never changed or removed. The official
-- figures of a year are those of its highest version; the views of schema
-- official show them (closed years) beside the working marts (open years).
CREATE SCHEMA IF NOT EXISTS closed;
CREATE SCHEMA IF NOT EXISTS official;

CREATE TABLE closed.versions (
    year              INTEGER   NOT NULL,
    version           INTEGER   NOT NULL,
    kind              VARCHAR   NOT NULL,  -- close | restate
    signed_by         VARCHAR   NOT NULL,
    signed_at         TIMESTAMP NOT NULL,  -- UTC
    note              VARCHAR   NOT NULL,  -- the close's note or the restatement's reason
    policy_version    INTEGER   NOT NULL,  -- settings.policy_changes in force (0: the defaults)
    policy_digest     VARCHAR   NOT NULL,  -- as on the reports' stamp
    input_digest      VARCHAR   NOT NULL,  -- of closed.inputs of this version
    inputs            INTEGER   NOT NULL,
    mart_rows         BIGINT    NOT NULL,  -- rows of closed.<mart> of this version, all marts
    marts_fingerprint VARCHAR   NOT NULL,  -- SHA-256 of those rows (official.Fingerprint)
    fingerprint       VARCHAR   NOT NULL,  -- SHA-256 of the rows, the inputs, the policy and the files
    build_run_id      BIGINT,              -- the build the rows came from
    PRIMARY KEY (year, version)
);

-- The submissions that counted: every loaded file with a current row of
-- the year (intermediate.lineage), with its SHA-256.
CREATE TABLE closed.inputs (
    year          INTEGER NOT NULL,
    version       INTEGER NOT NULL,
    submission_id BIGINT  NOT NULL,
    file          VARCHAR NOT NULL,
    sha256        VARCHAR NOT NULL,
    received_at   TIMESTAMP,
    district      VARCHAR
);

-- The policy tables in force, one row per policy row as JSON.
CREATE TABLE closed.policy (
    year         INTEGER NOT NULL,
    version      INTEGER NOT NULL,
    policy_table VARCHAR NOT NULL,
    row_json     VARCHAR NOT NULL
);

-- The official report files of the version, byte for byte (and, for a
-- restatement, its delta report): reports of a closed year are these.
CREATE TABLE closed.files (
    year    INTEGER NOT NULL,
    version INTEGER NOT NULL,
    path    VARCHAR NOT NULL,  -- inside the reports folder, /-separated: 2014/市级奖励资金分配表_2014.xlsx
    kind    VARCHAR NOT NULL,  -- report | delta
    sha256  VARCHAR NOT NULL,
    bytes   BLOB    NOT NULL,
    PRIMARY KEY (year, version, path)
);

-- What a restatement changed: one row per mart row that differs from the
-- version before, with the old and new values of the columns that changed
-- and the submissions behind it.
CREATE TABLE closed.changes (
    year        INTEGER NOT NULL,
    version     INTEGER NOT NULL,  -- the new version
    mart        VARCHAR NOT NULL,
    row_key     VARCHAR NOT NULL,  -- district=临江区, project_code=…
    change      VARCHAR NOT NULL,  -- changed | added | removed
    columns     VARCHAR NOT NULL,  -- the columns that changed, comma-separated
    old_values  VARCHAR,           -- JSON object of those columns
    new_values  VARCHAR,
    submissions VARCHAR NOT NULL,  -- ids of the submissions behind it, comma-separated
    direct      BOOLEAN NOT NULL   -- false: no submission of this row's own key; the year's new submissions
);

-- closed.<mart> (one per mart with a year column: a version column, then
-- the mart's columns) and the views official.<mart> are made by the
-- first close, from the marts as they are then.
