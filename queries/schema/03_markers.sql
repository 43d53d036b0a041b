-- `Log begins` / `Log ends` lines: not events, but they show restarts and gaps in the logs;
-- and lines that continue an event's text cut by a raw newline (Kannel 1.4.0/1.4.1).
CREATE TABLE IF NOT EXISTS log_markers (
    load_id   INTEGER NOT NULL,
    line_no   BIGINT  NOT NULL,
    logged_at TIMESTAMPTZ,              -- NULL for clean logs (no prefix)
    marker    VARCHAR NOT NULL          -- begins | ends | continued
);
