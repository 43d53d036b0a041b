-- R9: every forecast submitted to Orange, one row per short code and month of each version.
-- A version is one forecast file loaded (`opsanalytics forecast load`); a correction is a new
-- version and never erases the original. The version that counts for a month is the one made
-- last (made_on, then version_id) on or before the month's last day (docs/forecast.md).
CREATE TABLE IF NOT EXISTS forecasts (
    version_id      INTEGER NOT NULL,   -- one per file loaded, in load order
    source          VARCHAR NOT NULL,   -- the file's absolute path
    sha256          VARCHAR NOT NULL,   -- of the file's bytes: the same file twice is one version
    loaded_at       TIMESTAMPTZ NOT NULL,
    row_no          INTEGER NOT NULL,   -- provenance: row in the file (header = row 1)
    short_code      VARCHAR NOT NULL,
    month           DATE    NOT NULL,   -- first day of the local calendar month
    mt_segments     BIGINT  NOT NULL,   -- forecast MT segments in the month
    peak_sms_per_s  DOUBLE  NOT NULL,   -- forecast peak rate, segments per second
    subscribed_rate INTEGER NOT NULL,   -- throughput tier subscribed (or requested) for the month
    semester        VARCHAR NOT NULL,   -- e.g. 2027H1
    made_on         DATE    NOT NULL,   -- when the forecast was made
    PRIMARY KEY (version_id, short_code, month)
);
