-- Where the lines a page's rows cite are, as a reader finds them: each event id decoded
-- (load_id * 10^10 + line_no, docs/schema.md) to its file's name and line, per row and
-- column: 'access.log.1.gz:5-7, 9 (load 1); access.log:121 (load 61)'. Runs of lines read as
-- ranges (an R8 second cites every line it holds); the load names the file among those of the
-- same name (a live log read hourly), its path is in files_cited.sql.
-- $row_nos, $columns, $ids: one entry per id cited, the row and column citing it.
WITH cited AS (
    SELECT unnest($row_nos::BIGINT[]) AS row_no, unnest($columns::VARCHAR[]) AS col,
           unnest($ids::BIGINT[]) AS id
),

decoded AS (
    SELECT DISTINCT row_no, col, id // 10000000000 AS load_id, id % 10000000000 AS line_no
    FROM cited
    WHERE id IS NOT NULL
),

runs AS (
    -- consecutive lines of a load share line_no - rank (gaps and islands)
    SELECT row_no, col, load_id, line_no,
           line_no - row_number() OVER (PARTITION BY row_no, col, load_id ORDER BY line_no) AS run
    FROM decoded
),

ranges AS (
    SELECT row_no, col, load_id, min(line_no) AS first, max(line_no) AS last
    FROM runs
    GROUP BY row_no, col, load_id, run
),

per_load AS (
    SELECT row_no, col, load_id,
           string_agg(CASE WHEN first = last THEN CAST(first AS VARCHAR) ELSE first || '-' || last END,
                      ', ' ORDER BY first) AS lines
    FROM ranges
    GROUP BY row_no, col, load_id
)

SELECT p.row_no, p.col AS "column",
       string_agg(coalesce(regexp_extract(f.path, '[^/\\]*$'), '?') || ':' || p.lines
                  || ' (load ' || p.load_id || ')', '; ' ORDER BY p.load_id) AS lines
FROM per_load AS p
LEFT JOIN load_manifest AS f USING (load_id)
GROUP BY p.row_no, p.col
ORDER BY p.row_no, p.col
