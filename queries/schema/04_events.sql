-- The canonical schema: one row per gateway event, filled by every loader (Kannel access
-- log, canonical CSV/Parquet). Every fact and audit reads from here, never from staging.
-- Column list and meaning: docs/schema.md.
CREATE TABLE IF NOT EXISTS events (
    load_id        INTEGER  NOT NULL,   -- provenance: load_manifest.load_id
    line_no        BIGINT   NOT NULL,   -- provenance: 1-based line (or row) in that file
    logged_at      TIMESTAMPTZ NOT NULL,-- instant of the event (MT: when the SMSC acknowledged it)
    label          VARCHAR  NOT NULL,   -- as written by the gateway, e.g. 'Sent SMS'
    kind           VARCHAR  NOT NULL,   -- mt | mo | dlr | dlr_out | dropped
    outcome        VARCHAR  NOT NULL,   -- mt: accepted|refused|failed|discarded|expired
                                        -- mo: accepted|refused ; dlr: accepted|unmatched
                                        -- dlr_out: sent|refused|failed|discarded|expired ; dropped: mo|dlr
    smsc           VARCHAR,             -- gateway connection (Kannel smsc-id)
    service        VARCHAR,             -- sendsms user / service (Kannel SVC); '' on MO
    account        VARCHAR,
    binfo          VARCHAR,
    fid            VARCHAR,             -- SMSC message id ('' when none)
    meta           VARCHAR,             -- raw META (?group?key=value&...)
    sender         VARCHAR,             -- 'from' as written
    receiver       VARCHAR,             -- 'to' as written
    mclass         SMALLINT,            -- -1 = unset
    coding         SMALLINT,            -- 0 GSM/default, 1 8-bit, 2 UCS-2, -1 unset
    mwi            SMALLINT,
    compress       SMALLINT,
    dlr_mask       INTEGER,             -- MT: mask asked; DLR: the status bits
    text_len       INTEGER,             -- LEN as logged: bytes of the stored text
    text           VARCHAR,             -- decoded text (hex decoded for coding 1/2); NULL: not logged
    text_lossy     BOOLEAN NOT NULL,    -- true when bytes outside 0x20-0x7E were logged as '.'
    udh            VARCHAR NOT NULL,    -- upper-case hex, '' when none
    segments       INTEGER,             -- MT: segments this line stands for
    segments_exact BOOLEAN              -- false when lossy text leaves the count uncertain
);
