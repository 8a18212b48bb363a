-- The web application of `shequ serve` (web/): its accounts, the files
-- uploaded through it, the deadlines of the submission board and the audit
-- log. API tokens are kept only as SHA-256 hashes (the token itself is
-- shown once); password hashes (argon2id) are not kept here at all but in
-- a file beside the warehouse (<warehouse>.passwords, mode 0600); sessions
-- are never written. These tables are copied into the read-only snapshot
-- like every other: what is here must be safe for an analyst to read.
CREATE SCHEMA IF NOT EXISTS web;

-- One row per account. role: planner (the city's planners), district (a
-- district bureau's clerk: sees and submits only for district), analyst
-- (reads the marts of the whole city), admin (accounts, settings, audit).
CREATE TABLE web.users (
    name          VARCHAR NOT NULL PRIMARY KEY,
    role          VARCHAR NOT NULL,
    district      VARCHAR,            -- required for role district, NULL otherwise
    disabled      BOOLEAN NOT NULL DEFAULT false,
    created_at    TIMESTAMP NOT NULL,
    password_set_at TIMESTAMP NOT NULL,
    -- the password was made by `shequ users add` and shown once: the user
    -- is asked to choose their own at the next login
    must_change   BOOLEAN NOT NULL DEFAULT false
);

-- API tokens for scripts (Authorization: Bearer TOKEN): the SHA-256 of
-- the token, in hex. `shequ users token NAME` makes one and prints it once.
CREATE TABLE web.tokens (
    token_sha256 VARCHAR NOT NULL PRIMARY KEY,
    name         VARCHAR NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    revoked_at   TIMESTAMP
);

-- One row per file uploaded through the web application: who sent it for
-- which district, under which name (the client's name is kept for display
-- only: the inbox file gets a generated name).
CREATE TABLE web.uploads (
    submission_id BIGINT,             -- raw.submissions; NULL if the ingest did not take the file
    uploaded_at   TIMESTAMP NOT NULL,
    user_name     VARCHAR NOT NULL,
    district      VARCHAR,            -- the uploader's district; NULL for a city-level upload
    original_name VARCHAR NOT NULL,   -- as the browser sent it, for display
    inbox_file    VARCHAR NOT NULL,   -- path relative to the inbox, '/'-separated
    size_bytes    BIGINT NOT NULL,
    sha256        VARCHAR NOT NULL
);

-- When each kind is due, per period of a year Y: the deadline is
-- (Y + year_offset)-month-day. period is 'year' for the kinds submitted
-- once a year, 'Q1'…'Q4' for the quarterly ones. The defaults below are
-- the bureau's usual practice (an assumption: the policy documents set no
-- dates); admins change them on the 设置 page.
CREATE TABLE web.deadlines (
    kind        VARCHAR NOT NULL,
    period      VARCHAR NOT NULL,
    year_offset INTEGER NOT NULL,
    month       INTEGER NOT NULL,
    day         INTEGER NOT NULL,
    updated_at  TIMESTAMP,
    updated_by  VARCHAR,
    PRIMARY KEY (kind, period)
);
INSERT INTO web.deadlines (kind, period, year_offset, month, day) VALUES
    ('communities',  'year', 0, 3, 31),
    ('projects',     'year', 0, 3, 31),
    ('staff',        'year', 0, 3, 31),
    ('expenditures', 'Q1', 0, 4, 15),
    ('expenditures', 'Q2', 0, 7, 15),
    ('expenditures', 'Q3', 0, 10, 15),
    ('expenditures', 'Q4', 1, 1, 15),
    ('activities',   'Q1', 0, 4, 15),
    ('activities',   'Q2', 0, 7, 15),
    ('activities',   'Q3', 0, 10, 15),
    ('activities',   'Q4', 1, 1, 15),
    ('evaluations',  'year', 1, 1, 31),
    ('facilities',   'year', 0, 6, 30);

-- Every login (and refused login), upload, download and settings or
-- account change: who, when, what, from where.
CREATE TABLE web.audit (
    happened_at TIMESTAMP NOT NULL,
    user_name VARCHAR,                -- NULL when the name given matched no account
    role      VARCHAR,
    district  VARCHAR,
    action    VARCHAR NOT NULL,       -- login, login_failed, logout, upload, download, settings, user_add, …
    target    VARCHAR,                -- what was acted on: a submission, a file, a setting
    detail    VARCHAR,
    address   VARCHAR,                -- the client's address
    ok        BOOLEAN NOT NULL
);
