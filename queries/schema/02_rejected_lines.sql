-- Lines that are neither an event nor a marker, kept verbatim with why they were refused.
CREATE TABLE IF NOT EXISTS rejected_lines (
    load_id  INTEGER NOT NULL,
    line_no  BIGINT  NOT NULL,          -- 1-based line number in the (decompressed) file
    raw      VARCHAR NOT NULL,          -- the line; bytes that are not UTF-8 shown as U+FFFD
    reason   VARCHAR NOT NULL
);
