-- Why the lines of one load were rejected, as `ingest` says it after the load: reasons that
-- differ only by their numbers (a LEN, a row) count as one, the most frequent first, each
-- with its first line and that line's reason as written; `reasons`: how many in all.
-- Every rejected line and its raw text stay in rejected_lines.
SELECT count(*) AS lines,
       min(line_no) AS first_line,
       arg_min(reason, line_no) AS example,
       count(*) OVER () AS reasons
FROM rejected_lines
WHERE load_id = $load_id
GROUP BY regexp_replace(reason, '[0-9]+', '#', 'g')
ORDER BY lines DESC, first_line
LIMIT $top
