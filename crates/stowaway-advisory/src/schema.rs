//! The database schema, and its version.
//!
//! `docs/advisory-db.md` describes each table for readers of the file. Any change to a table, a
//! column's meaning or a stored name (statuses, namespaces) raises [`SCHEMA_VERSION`], because a
//! scanner reading a database of another version could misread it silently. A new table is the
//! exception: readers of the same version ignore it, and readers of it accept its absence
//! (`weaknesses` was added so).

/// The schema version this crate writes and reads, stored in `metadata` under `schema_version`.
pub const SCHEMA_VERSION: u32 = 1;

/// The statements that create an empty database.
pub(crate) const CREATE: &str = "
CREATE TABLE metadata (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE sources (
    name          TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    digest        TEXT NOT NULL,
    record_count  INTEGER NOT NULL,
    warning_count INTEGER NOT NULL,
    imported_at   TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE advisories (
    advisory_key INTEGER PRIMARY KEY,
    source       TEXT NOT NULL REFERENCES sources (name),
    id           TEXT NOT NULL,
    published    TEXT,
    modified     TEXT,
    withdrawn    TEXT,
    summary      TEXT,
    UNIQUE (source, id)
);
CREATE INDEX advisories_by_id ON advisories (id);

CREATE TABLE aliases (
    advisory_key INTEGER NOT NULL REFERENCES advisories (advisory_key),
    alias        TEXT NOT NULL,
    PRIMARY KEY (advisory_key, alias)
) WITHOUT ROWID;
CREATE INDEX aliases_by_alias ON aliases (alias);

CREATE TABLE affected (
    advisory_key          INTEGER NOT NULL REFERENCES advisories (advisory_key),
    namespace             TEXT NOT NULL,
    package               TEXT NOT NULL,
    status                TEXT NOT NULL
        CHECK (status IN ('fixed', 'unfixed', 'not-affected', 'will-not-fix', 'end-of-life')),
    fixed_version         TEXT,
    ranges                TEXT,
    versions              TEXT,
    native_ranges         TEXT,
    ecosystem_specific    TEXT,
    database_specific     TEXT,
    distribution_severity TEXT
);
CREATE INDEX affected_by_package ON affected (namespace, package);

CREATE TABLE severities (
    advisory_key INTEGER NOT NULL REFERENCES advisories (advisory_key),
    source       TEXT NOT NULL,
    kind         TEXT NOT NULL,
    value        TEXT NOT NULL
);
CREATE INDEX severities_by_advisory ON severities (advisory_key);

CREATE TABLE weaknesses (
    advisory_key INTEGER NOT NULL REFERENCES advisories (advisory_key),
    cwe_id       TEXT NOT NULL,
    PRIMARY KEY (advisory_key, cwe_id)
) WITHOUT ROWID;

CREATE TABLE advisory_references (
    advisory_key INTEGER NOT NULL REFERENCES advisories (advisory_key),
    url          TEXT NOT NULL
);
CREATE INDEX references_by_advisory ON advisory_references (advisory_key);

CREATE TABLE kev (
    cve_id                        TEXT PRIMARY KEY,
    vendor_project                TEXT NOT NULL,
    product                       TEXT NOT NULL,
    date_added                    TEXT NOT NULL,
    due_date                      TEXT NOT NULL,
    known_ransomware_campaign_use TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE epss (
    cve_id     TEXT PRIMARY KEY,
    score      REAL NOT NULL,
    percentile REAL NOT NULL
) WITHOUT ROWID;
";
