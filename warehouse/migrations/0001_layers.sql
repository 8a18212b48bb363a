-- The layers of the data's path, each a schema:
--   raw      every received file and every loaded row, with lineage and history
--   staging  current (latest-wins) rows, as views built by the models
--   marts    the tables of the warehouse contract (DOMAIN.md §6)
--   policy   the policy parameters the models read, loaded from models/policy
--   ops      runs, model runs and the state of this file
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS staging;
CREATE SCHEMA IF NOT EXISTS intermediate;
CREATE SCHEMA IF NOT EXISTS marts;
CREATE SCHEMA IF NOT EXISTS policy;
CREATE SCHEMA IF NOT EXISTS ops;

-- One row per file received, whatever became of it.
CREATE TABLE raw.submissions (
    submission_id  BIGINT NOT NULL,
    file           VARCHAR NOT NULL,  -- path relative to the inbox root, '/'-separated
    sha256         VARCHAR NOT NULL,
    size_bytes     BIGINT NOT NULL,
    modified_at    TIMESTAMP,
    received_at    TIMESTAMP NOT NULL,
    status         VARCHAR NOT NULL,  -- loaded | duplicate | quarantined
    format         VARCHAR,           -- xlsx | csv
    encoding       VARCHAR,
    kinds          VARCHAR,           -- comma-separated kinds found
    district       VARCHAR,
    rows_read      INTEGER NOT NULL DEFAULT 0,
    rows_loaded    INTEGER NOT NULL DEFAULT 0,
    rows_rejected  INTEGER NOT NULL DEFAULT 0,
    rows_warned    INTEGER NOT NULL DEFAULT 0,
    reason         VARCHAR,           -- why quarantined (stable code: detail)
    reason_zh      VARCHAR,
    duplicate_of   BIGINT,
    archive_path   VARCHAR,           -- the byte-for-byte copy kept by the warehouse
    run_id         BIGINT
);

-- One row per rejected or warned source row and problem.
CREATE TABLE raw.rejects (
    submission_id BIGINT NOT NULL,
    file          VARCHAR NOT NULL,
    sheet         VARCHAR NOT NULL,   -- empty for CSV
    "row"         INTEGER NOT NULL,   -- as a spreadsheet shows it; CSV: line where the record starts
    "column"      VARCHAR NOT NULL,   -- the DOMAIN.md column name
    header        VARCHAR,            -- the header text as the district wrote it
    letter        VARCHAR,            -- the spreadsheet column letter
    value         VARCHAR,
    severity      VARCHAR NOT NULL,   -- error | warning
    code          VARCHAR NOT NULL,
    message       VARCHAR NOT NULL,   -- English
    message_zh    VARCHAR NOT NULL
);

-- Loaded rows of each kind. Every row carries its lineage (submission_id,
-- source_file, source_sheet, source_row); superseded_by is NULL for the
-- current row and names the submission that replaced it otherwise (history
-- is kept). warnings lists the warning codes of the row; extra holds the
-- unknown columns of the source row as JSON.
CREATE TABLE raw.communities (
    submission_id BIGINT NOT NULL, source_file VARCHAR NOT NULL, source_sheet VARCHAR NOT NULL, source_row INTEGER NOT NULL,
    superseded_by BIGINT, warnings VARCHAR, extra VARCHAR,
    year INTEGER NOT NULL,
    district VARCHAR NOT NULL,
    street VARCHAR NOT NULL,
    community_code VARCHAR NOT NULL,
    community_name VARCHAR NOT NULL,
    urban_rural VARCHAR NOT NULL,
    resident_population BIGINT NOT NULL,
    registered_population BIGINT,
    area_km2 DECIMAL(18,6)
);

CREATE TABLE raw.projects (
    submission_id BIGINT NOT NULL, source_file VARCHAR NOT NULL, source_sheet VARCHAR NOT NULL, source_row INTEGER NOT NULL,
    superseded_by BIGINT, warnings VARCHAR, extra VARCHAR,
    year INTEGER NOT NULL,
    project_code VARCHAR NOT NULL,
    district VARCHAR NOT NULL,
    project_name VARCHAR NOT NULL,
    project_type VARCHAR,
    provider VARCHAR NOT NULL,
    provider_credit_code VARCHAR NOT NULL,
    community_codes VARCHAR NOT NULL,  -- the covered codes, cleaned, ';'-separated
    contract_start DATE NOT NULL,
    contract_end DATE NOT NULL,
    contract_amount DECIMAL(18,2) NOT NULL,
    city_funding DECIMAL(18,2),
    district_funding DECIMAL(18,2),
    street_funding DECIMAL(18,2)
);

-- One row per project and covered community, split from community_codes at
-- load time; it shares its project row's lineage and supersession.
CREATE TABLE raw.project_communities (
    submission_id BIGINT NOT NULL, source_file VARCHAR NOT NULL, source_sheet VARCHAR NOT NULL, source_row INTEGER NOT NULL,
    superseded_by BIGINT,
    year INTEGER NOT NULL,
    project_code VARCHAR NOT NULL,
    district VARCHAR NOT NULL,
    community_code VARCHAR NOT NULL
);

CREATE TABLE raw.staff (
    submission_id BIGINT NOT NULL, source_file VARCHAR NOT NULL, source_sheet VARCHAR NOT NULL, source_row INTEGER NOT NULL,
    superseded_by BIGINT, warnings VARCHAR, extra VARCHAR,
    year INTEGER NOT NULL,
    project_code VARCHAR NOT NULL,
    staff_name VARCHAR NOT NULL,       -- personal data: raw layer only
    id_number_masked VARCHAR,          -- first 6 and last 4 characters
    id_number_hash VARCHAR,            -- HMAC-SHA256 with a key kept outside this file
    role VARCHAR,
    registered_sw BOOLEAN NOT NULL,
    sw_level VARCHAR,
    party_member BOOLEAN,
    full_time BOOLEAN,
    annual_cost DECIMAL(18,2)
);

-- Expenditures are stored long: one row per category line, whichever form
-- (wide or long) the district used.
CREATE TABLE raw.expenditures (
    submission_id BIGINT NOT NULL, source_file VARCHAR NOT NULL, source_sheet VARCHAR NOT NULL, source_row INTEGER NOT NULL,
    superseded_by BIGINT, warnings VARCHAR, extra VARCHAR,
    year INTEGER NOT NULL,
    project_code VARCHAR NOT NULL,
    quarter INTEGER NOT NULL,
    category VARCHAR NOT NULL,
    amount DECIMAL(18,2) NOT NULL
);

CREATE TABLE raw.activities (
    submission_id BIGINT NOT NULL, source_file VARCHAR NOT NULL, source_sheet VARCHAR NOT NULL, source_row INTEGER NOT NULL,
    superseded_by BIGINT, warnings VARCHAR, extra VARCHAR,
    year INTEGER NOT NULL,             -- the year of activity_date
    project_code VARCHAR NOT NULL,
    activity_date DATE NOT NULL,
    service_item VARCHAR NOT NULL,
    activity_name VARCHAR,
    participants INTEGER NOT NULL,
    volunteers INTEGER
);

CREATE TABLE raw.evaluations (
    submission_id BIGINT NOT NULL, source_file VARCHAR NOT NULL, source_sheet VARCHAR NOT NULL, source_row INTEGER NOT NULL,
    superseded_by BIGINT, warnings VARCHAR, extra VARCHAR,
    year INTEGER NOT NULL,
    project_code VARCHAR NOT NULL,
    stage VARCHAR NOT NULL,
    facility_score DECIMAL(9,4),
    team_score DECIMAL(9,4),
    activity_score DECIMAL(9,4),
    funding_score DECIMAL(9,4),
    person_times BIGINT,
    satisfaction DECIMAL(9,6),
    evaluator VARCHAR
);

CREATE TABLE raw.facilities (
    submission_id BIGINT NOT NULL, source_file VARCHAR NOT NULL, source_sheet VARCHAR NOT NULL, source_row INTEGER NOT NULL,
    superseded_by BIGINT, warnings VARCHAR, extra VARCHAR,
    year INTEGER NOT NULL,
    community_code VARCHAR NOT NULL,
    room VARCHAR NOT NULL,
    area_m2 DECIMAL(18,2)
);

-- Every run of a command or scheduled job, and of each step inside it.
CREATE TABLE ops.runs (
    run_id        BIGINT NOT NULL,
    parent_run_id BIGINT,
    job           VARCHAR NOT NULL,   -- ingest | build | test | report | run | a schedule's name
    step          VARCHAR,            -- the step inside a job, NULL for the job itself
    trigger       VARCHAR NOT NULL,   -- manual | schedule | demo
    started_at    TIMESTAMP NOT NULL,
    ended_at      TIMESTAMP,
    status        VARCHAR NOT NULL,   -- running | ok | failed | skipped | interrupted
    files         INTEGER,
    rows_loaded   BIGINT,
    rows_rejected BIGINT,
    models_built  INTEGER,
    tests_failed  INTEGER,
    error         VARCHAR,
    pid           INTEGER,
    command       VARCHAR
);

-- Every materialisation of a model.
CREATE TABLE ops.model_runs (
    run_id      BIGINT,
    model       VARCHAR NOT NULL,
    file        VARCHAR,
    started_at  TIMESTAMP NOT NULL,
    ended_at    TIMESTAMP,
    rows        BIGINT,
    status      VARCHAR NOT NULL,     -- ok | failed | skipped
    error       VARCHAR
);
