-- The counts of `opsanalytics status` (its JSON is a contract for scripts, see
-- opsanalytics/status.py): the lines read, as the manifest recorded them when each file was
-- loaded; events by label family, markers and rejected lines as the tables hold them now; DLR
-- linking and final statuses from the facts. lines = events + markers + rejected is checked
-- by the caller (status/accounting.sql names the loads that differ), not assumed here.
WITH manifest_lines AS (
    -- a skipped file loaded nothing; a continued log's loads each hold their own lines
    SELECT coalesce(sum(lines), 0) AS lines FROM load_manifest WHERE state = 'loaded'
),

event_counts AS (
    SELECT
        count(*) AS events,
        count(*) FILTER (WHERE kind = 'mt' AND outcome = 'accepted') AS mt_accepted,
        count(*) FILTER (WHERE kind = 'mt' AND outcome IN ('refused', 'failed', 'discarded', 'expired')) AS mt_refused,
        coalesce(sum(coalesce(segments, 1)) FILTER (WHERE kind = 'mt' AND outcome = 'accepted'), 0) AS mt_segments,
        count(*) FILTER (WHERE kind = 'mo' AND outcome = 'accepted') AS mo_accepted,
        count(*) FILTER (WHERE kind = 'mo' AND outcome = 'refused') AS mo_refused,
        count(*) FILTER (WHERE kind = 'dlr' AND outcome = 'accepted') AS dlr_lines,
        -- the DROPPED lines, as the contract says: a receipt a white/black list refused
        -- (Kannel 1.4.0-1.4.3 log it `REJECTED - <list> SMS`) is a dropped DLR to the facts,
        -- but no DROPPED line (a probe: 35 against `grep -c DROPPED` = 0)
        count(*) FILTER (WHERE kind = 'dropped' AND NOT starts_with(coalesce(label, ''), 'REJECTED')) AS dropped
    FROM events
),

marker_counts AS (
    SELECT count(*) AS markers FROM log_markers
),

rejected_counts AS (
    SELECT count(*) AS rejected FROM rejected_lines
),

dlr_counts AS (
    -- (a DROPPED Received DLR is not a DLR line of the contract: unmatched counts FAILED
    -- Receive DLR lines and Receive DLR lines linked to no MT)
    SELECT count(*) FILTER (WHERE unmatched AND outcome <> 'dropped') AS dlr_unmatched FROM fct_dlr
),

final_counts AS (
    SELECT
        count(*) FILTER (WHERE outcome = 'accepted' AND final_status = 'delivered') AS dlr_delivered,
        count(*) FILTER (WHERE outcome = 'accepted' AND final_status IN ('failed', 'expired', 'rejected')) AS dlr_failed
    FROM fct_mt
)

SELECT
    l.lines::BIGINT AS lines,
    e.events,
    m.markers,
    r.rejected,
    e.mt_accepted,
    e.mt_refused,
    e.mt_segments::BIGINT AS mt_segments,
    e.mo_accepted,
    e.mo_refused,
    e.dlr_lines,
    d.dlr_unmatched,
    f.dlr_delivered,
    f.dlr_failed,
    e.dropped
FROM manifest_lines AS l, event_counts AS e, marker_counts AS m, rejected_counts AS r, dlr_counts AS d, final_counts AS f
