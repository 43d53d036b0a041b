-- The MT line each DLR line is linked to (fct_dlr's mt_id and link; R12, R13, R14), one row
-- per DLR line. See docs/schema.md "DLR linking":
--   1. on (smsc, fid, receiver), to the MT nearest in time, before or after the DLR (a DLR
--      may be written before the line of a message Kannel split itself; FIDs repeat over
--      time). The receiver is part of the key because a FID is not always an id: on a UCP/EMI
--      link it is the SMSC's timestamp of the submit, to the second, which every MT
--      acknowledged in that second shares, and Kannel itself matches those receipts on (smsc,
--      timestamp, destination) (gw/smsc/smsc_emi.c, dlr_find with use_dst); the `to` of a
--      `Receive DLR` is the MT's, byte for byte. A DLR whose number no MT line of its (smsc,
--      fid) has (a platform that writes the number otherwise) is linked on (smsc, fid) alone.
--      A key that one MT line holds (nearly all) is joined to it; only keys that several MT
--      lines hold are searched with windows over their MT and DLR lines sorted together,
--      not a join: a link that repeats one FID endlessly costs a sort, not a product; MT
--      lines of one such key logged close together share out its receipts as Kannel's DLR
--      store does (burst_lines, below);
--   2. DLRs with an empty FID (Kannel's NACK for a refused/failed MT, its ACK on links that
--      log no FID, such as fakesmsc), and receipts whose FID matches no MT (fakesmsc-style
--      links that log no FID on the MT),
--      to the MT line without FID of the same smsc, service, sender and receiver just before:
--      within $context_link for Kannel's own ACK/NACK, $fallback_link for receipts.
--      A NACK links only to a refused/failed/discarded/expired line, anything else only to
--      an accepted one. Receipts that follow a run of such MT lines, as many as the lines
--      (an application's parts on a link that logs no FID), are theirs in order;
--   3. `FAILED Receive DLR` lines (Kannel found no store entry: a duplicate receipt, one of an
--      MT outside the warehouse, one that came after a restart emptied its internal DLR
--      store, or one the SMSC sent before its submit_sm_resp) on (smsc, fid (as written, or
--      in hex or decimal where the connection's matched receipts show Kannel converting ids:
--      lost_ids), their sender:
--      Kannel writes the receipt's numbers swapped, from = the handset; else their receiver,
--      a receipt the SMSC addressed to the handset) to the nearest MT
--      line before them, or after them within $lost_after, as 'fid_lost'; never on the FID
--      alone (Kannel matched nothing, so the number is the only check left: with a wrong
--      msg-id-type a receipt's id can equal another MT's FID). They stay unmatched; only
--      fct_mt_status decides whether such a receipt gives its MT a status.
-- `DROPPED Received DLR` lines (outcome 'dropped') are linked like `Receive DLR` lines: Kannel
-- writes one instead of `Receive DLR` for a receipt it had matched to its MT (and removed from
-- its DLR store) when no box could take it (queue full, smsbox gone: gw/bb_smscconn.c,
-- bb_smscconn_receive). The application lost the callback; the SMSC's word on the handset stands,
-- and no later receipt can bring it (a resent one finds no store entry: FAILED Receive DLR).
-- NOT MATERIALIZED: the DLR and MT lines are read from `events` again where they are used,
-- not held in memory as a copy of every column (peak RSS 3.4 -> 2.4 GB at 5 M lines, same time).
-- A table of its own, written before fct_dlr reads it: the linking holds its keys and
-- timelines in memory, the receipt parsing carries every DLR line's text; one statement
-- held both under ingest's memory limit and spilled (5 M lines: fct_dlr 7.9 s -> 3.6 + 3.0 s).
CREATE OR REPLACE TABLE int_dlr_links AS
WITH dlr_keys AS NOT MATERIALIZED (
    SELECT * FROM dlr_event_lines('int_line_connection')
),

linkable AS NOT MATERIALIZED (
    SELECT *, CASE WHEN source = 'kannel_nack' THEN 'ko' ELSE 'ok' END AS side
    FROM dlr_keys
    WHERE outcome IN ('accepted', 'dropped')
),

mt_lines AS NOT MATERIALIZED (
    SELECT
        event_id(load_id, line_no) AS mt_id,
        logged_at,
        coalesce(nullif(e.smsc, ''), c.smsc, '') AS smsc,
        coalesce(fid, '') AS fid,
        coalesce(service, '') AS service,
        coalesce(sender, '') AS sender,
        coalesce(receiver, '') AS receiver,
        CASE WHEN outcome = 'accepted' THEN 'ok' ELSE 'ko' END AS side,
        dlr_mask AS asked_mask,
        text
    FROM events AS e
    LEFT JOIN int_line_connection AS c ON c.line_id = event_id(e.load_id, e.line_no) AND c.found_by = 'fid'
    WHERE kind = 'mt'
),

-- nearest MT before and after each DLR on its key; at the same second the MT line counts
-- as before. A key nearly always belongs to one MT line: that line is the one, before the
-- DLR or after it, found by a join on the key. Only keys that several MT lines share (FIDs
-- repeating over time) need the nearest searched: one sort of their MT and DLR lines
-- together (windows, not a join on the FID: a FID repeated endlessly costs a sort, not a
-- product). 5 M lines (2.1 M keys, none repeated): fct_dlr 12.3-13.6 s -> 7.5-7.8 s, against
-- a sort of every MT and DLR line whose result was then joined back to the DLRs.
-- MATERIALIZED: read several times.
mt_keys AS MATERIALIZED (
    SELECT smsc, fid, receiver, count(*) AS mt_count, min(mt_id) AS mt_id, min(logged_at) AS mt_at
    FROM mt_lines
    WHERE fid <> ''
    GROUP BY smsc, fid, receiver
),

-- How a connection's receipt ids are read, from the receipts Kannel matched on it: their FID is
-- the id it looked up, their text's `id:` the receipt's own. With msg-id-type set Kannel
-- converts ids (gw/smsc/smsc_smpp.c: an id with a letter, or any with 0x02 set, from hex; else
-- from decimal) and logs `Sent SMS` and a matched `Receive DLR` with the converted id, but a
-- `FAILED Receive DLR` with the id as it came (real Kannel 1.4.5, 0x03: `[FID:000027]` for
-- the MT `[FID:39]`). Unset (the default) it compares ids as written. A matched receipt whose
-- id is not its FID as written shows a conversion: from hex (the id read as hex is the FID,
-- read as decimal not: `000010` for 16, `00000A` for 10), from decimal (`0000000016` for 16),
-- or either (`000005` for 5). Lines whose text starts `id:<FID> ` show none and are skipped
-- before any parsing (nearly all, msg-id-type unset). Only connections with FAILED lines.
id_evidence AS MATERIALIZED (
    SELECT smsc,
           bool_or(hex_id = fid AND decimal_id IS DISTINCT FROM fid) AS from_hex,
           bool_or(decimal_id = fid AND hex_id IS DISTINCT FROM fid) AS from_decimal
    FROM (
        SELECT smsc, fid, receipt_id,
               CASE WHEN regexp_full_match(receipt_id, '[0-9A-Fa-f]+')
                    THEN CAST(TRY_CAST('0x' || receipt_id AS UBIGINT) AS VARCHAR) END AS hex_id,
               CASE WHEN regexp_full_match(receipt_id, '[0-9]+')
                    THEN CAST(TRY_CAST(receipt_id AS UBIGINT) AS VARCHAR) END AS decimal_id
        FROM (
            SELECT smsc, fid, regexp_extract(text, '(?:^|\s)id:(\S+)', 1) AS receipt_id
            FROM dlr_keys
            WHERE outcome IN ('accepted', 'dropped') AND source = 'receipt' AND fid <> ''
              AND NOT starts_with(coalesce(text, ''), 'id:' || fid || ' ') AND contains(text, 'id:')
              AND smsc IN (SELECT smsc FROM dlr_keys WHERE outcome = 'unmatched' AND fid <> '')
        )
        WHERE receipt_id <> fid
    )
    WHERE hex_id = fid OR decimal_id = fid
    GROUP BY smsc
),

-- The FID a `FAILED Receive DLR` names its MT by: read as its connection's evidence shows
-- Kannel reads ids there (read_as 1), never in a base the evidence does not show (an id of
-- digits read as hex where receipts are decimal is another MT's FID: `0000000016` -> 22):
-- from hex only, hex; from decimal only, decimal (an id with a letter: hex, as Kannel does);
-- both or either (ids like `000005`), an id of digits only when both readings agree, one with
-- a letter in hex. No conversion shown (none matched, or all as written): as written (0).
-- Unmatched lines only (few).
lost_ids AS MATERIALIZED (
    SELECT dlr_id, mt_fid, read_as
    FROM (
        SELECT d.dlr_id,
               CASE
                   WHEN v.smsc IS NULL THEN d.fid
                   WHEN NOT regexp_full_match(d.fid, '[0-9A-Fa-f]+') THEN NULL
                   WHEN v.from_hex AND NOT v.from_decimal OR NOT regexp_full_match(d.fid, '[0-9]+')
                       THEN CAST(TRY_CAST('0x' || d.fid AS UBIGINT) AS VARCHAR)
                   WHEN v.from_decimal AND NOT v.from_hex
                       OR TRY_CAST('0x' || d.fid AS UBIGINT) = TRY_CAST(d.fid AS UBIGINT)
                       THEN CAST(TRY_CAST(d.fid AS UBIGINT) AS VARCHAR)
               END AS mt_fid,
               CASE WHEN v.smsc IS NULL THEN 0 ELSE 1 END AS read_as
        FROM dlr_keys AS d
        LEFT JOIN id_evidence AS v USING (smsc)
        WHERE d.outcome = 'unmatched' AND d.fid <> ''
    )
    WHERE mt_fid IS NOT NULL
),

-- (mt_id, mt_at: read only when one MT line holds the FID, so they are that line's)
mt_fids AS MATERIALIZED (
    SELECT smsc, fid, sum(mt_count) AS mt_count, min(mt_id) AS mt_id, min(mt_at) AS mt_at
    FROM mt_keys
    GROUP BY smsc, fid
),

-- every DLR line with a FID some MT line holds: its key (on_receiver NULL: any receiver, no MT
-- line of that FID being to its number) and how many MT lines the key holds
dlr_fid_keys AS MATERIALIZED (
    SELECT
        d.dlr_id,
        d.smsc,
        d.fid,
        d.logged_at,
        d.outcome,
        d.source,
        d.ends_message,
        k.receiver AS on_receiver,
        coalesce(k.mt_count, f.mt_count) AS mt_count,
        coalesce(k.mt_id, f.mt_id) AS mt_id,
        coalesce(k.mt_at, f.mt_at) AS mt_at
    FROM dlr_keys AS d
    JOIN mt_fids AS f USING (smsc, fid)
    LEFT JOIN mt_keys AS k ON k.smsc = d.smsc AND k.fid = d.fid AND k.receiver = d.receiver
    WHERE d.outcome <> 'unmatched'
    UNION ALL
    -- a FAILED Receive DLR: kept only on the key of an MT line of its FID to its number (its
    -- sender: Kannel writes the receipt's numbers swapped), the first that holds one of:
    --   0. its connection, the number as written;
    --   1. its connection, the number written otherwise (int_msisdn: a receipt sent with TON
    --      unknown, `33612...`, for an MT to `+33612...`; real Kannel 1.4.5, a probe: the
    --      receipt came before its submit_sm_resp and the MT stayed pending);
    --   2-3. the same on another connection of its short code (the contract lists both): a
    --      receiver bind with an smsc-id of its own beside its transmitter, under which Kannel
    --      looks receipts up and finds none (real Kannel 1.4.5, a probe: every MT of the code
    --      stayed pending), or a second gateway's bind the SMSC delivered the receipt to. An MT
    --      of the receipt's own connection with its FID to another number does not stop it
    --      (ids repeat over time). Keyed on the MT's connection, it links as any fid_lost;
    --   4-7. the same on its receiver, when no MT line of its FID is to its sender: an SMSC
    --      that addresses a receipt from the short code to the handset, whose PDU Kannel logs
    --      as it came (KANNEL.md: the numbers are only usually swapped; a probe's receipt
    --      stayed unlinked, its MT without a status).
    -- Its FID as its connection's receipts show Kannel reads ids there (lost_ids: as written
    -- unless a matched receipt shows a conversion). The key is the MT's FID.
    SELECT dlr_id, smsc, fid, logged_at, outcome, source, ends_message, on_receiver, mt_count, mt_id, mt_at
    FROM (
        SELECT d.dlr_id, k.smsc, k.fid, d.logged_at, d.outcome, d.source, d.ends_message,
               k.receiver AS on_receiver, k.mt_count, k.mt_id, k.mt_at, l.read_as,
               CASE WHEN k.receiver = d.sender OR dn.msisdn = kn.msisdn THEN 0 ELSE 4 END
               + CASE WHEN k.smsc = d.smsc THEN 0 ELSE 2 END
               + CASE WHEN k.receiver = d.sender OR k.receiver = d.receiver THEN 0 ELSE 1 END AS preference
        FROM dlr_keys AS d
        JOIN (
            SELECT smsc AS dlr_smsc, smsc AS mt_smsc FROM mt_fids GROUP BY smsc
            UNION
            SELECT here.smsc, there.smsc
            FROM ref_connections AS here
            JOIN ref_connections AS there ON there.code = here.code AND there.smsc <> here.smsc
        ) AS c ON c.dlr_smsc = d.smsc
        JOIN lost_ids AS l ON l.dlr_id = d.dlr_id
        JOIN mt_keys AS k ON k.smsc = c.mt_smsc AND k.fid = l.mt_fid
        LEFT JOIN int_msisdn AS dn ON dn.raw = d.sender
        LEFT JOIN int_msisdn AS kn ON kn.raw = k.receiver
        LEFT JOIN int_msisdn AS rn ON rn.raw = d.receiver
        WHERE d.outcome = 'unmatched' AND d.fid <> ''
          AND (k.receiver = d.sender OR dn.msisdn = kn.msisdn OR k.receiver = d.receiver OR rn.msisdn = kn.msisdn)
    )
    QUALIFY row_number() OVER (PARTITION BY dlr_id ORDER BY read_as, preference, smsc, on_receiver) = 1
),

repeated_keys AS MATERIALIZED (
    SELECT DISTINCT smsc, fid, on_receiver
    FROM dlr_fid_keys
    WHERE mt_count > 1 AND outcome IN ('accepted', 'dropped', 'unmatched')
),

-- MATERIALIZED: read twice (nearest, queue); the lines of repeated keys only
fid_timeline AS MATERIALIZED (
    SELECT m.smsc, m.fid, r.on_receiver, m.logged_at, m.mt_id, NULL::BIGINT AS dlr_id, 0 AS ord,
           NULL AS outcome, NULL AS source, NULL::BOOLEAN AS ends_message, m.asked_mask
    FROM mt_lines AS m
    JOIN repeated_keys AS r
        ON r.smsc = m.smsc AND r.fid = m.fid AND (r.on_receiver IS NULL OR r.on_receiver = m.receiver)
    UNION ALL
    SELECT smsc, fid, on_receiver, logged_at, NULL::BIGINT AS mt_id, dlr_id, 1 AS ord, outcome, source, ends_message,
           NULL::INTEGER AS asked_mask
    FROM dlr_fid_keys
    WHERE mt_count > 1 AND outcome IN ('accepted', 'dropped', 'unmatched')
),

-- MATERIALIZED: read twice (the queue below, the links)
repeated_nearest AS MATERIALIZED (
    SELECT
        smsc, fid, on_receiver, logged_at, outcome, source, ends_message,
        dlr_id,
        last_value(mt_id IGNORE NULLS) OVER before_dlr AS before_id,
        last_value(CASE WHEN mt_id IS NOT NULL THEN logged_at END IGNORE NULLS) OVER before_dlr AS before_at,
        first_value(mt_id IGNORE NULLS) OVER after_dlr AS after_id,
        first_value(CASE WHEN mt_id IS NOT NULL THEN logged_at END IGNORE NULLS) OVER after_dlr AS after_at
    FROM fid_timeline
    WINDOW
        before_dlr AS (PARTITION BY smsc, fid, on_receiver ORDER BY logged_at, ord, mt_id, dlr_id
                       ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
        after_dlr AS (PARTITION BY smsc, fid, on_receiver ORDER BY logged_at, ord, mt_id, dlr_id
                      ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)
    QUALIFY dlr_id IS NOT NULL
),

-- Several MT lines of one key logged close together (at most $part_gap apart: a burst) are
-- in Kannel's DLR store at once: on a UCP/EMI link the FID is the submit's second, shared by
-- the parts of a message the application split to one number; an SMSC may give two pending
-- MTs one id. Kannel hands a receipt to the oldest entry of its key and removes that entry
-- on a final receipt, so the n-th final receipt of a burst is its n-th MT line's, an
-- intermediate one the MT line whose entry is then the oldest; Kannel's own ACK (logged with
-- each `Sent SMS`) is the n-th line's of those that asked one (mask 8). Only lines that asked
-- a receipt (mask 1, 2 or 4; a log without %d: any) have an entry, and a receipt names the
-- mask of the entry it matched (META `?orig_msg?dlr_mask=`, 1.4.4+): it is shared out among
-- the lines that asked that mask. The nearest MT line before would take them all and leave
-- the others without a status (real Kannel 1.4.5 runs against an SMSC that reused ids, and
-- over UCP/EMI: docs/schema.md "DLR linking"). Across bursts (an id reused days later) the
-- nearest stays: Kannel's store has long dropped the old entry, or should have.
burst_lines AS (
    SELECT *, count(*) OVER (PARTITION BY smsc, fid, on_receiver, burst) AS burst_mts
    FROM (
        SELECT *, sum(new_burst) OVER (PARTITION BY smsc, fid, on_receiver ORDER BY logged_at, mt_id) AS burst
        FROM (
            SELECT smsc, fid, on_receiver, mt_id, logged_at, asked_mask,
                   coalesce(logged_at - lag(logged_at) OVER (PARTITION BY smsc, fid, on_receiver ORDER BY logged_at, mt_id)
                            > $part_gap::INTERVAL, true)::INTEGER AS new_burst
            FROM fid_timeline
            WHERE mt_id IS NOT NULL
        )
    )
),

-- the DLR lines Kannel matched, each in the burst of the MT line nearest to it, with its
-- queue ('ack', 'final', 'progress') and the mask of the entry it matched
burst_dlrs AS (
    SELECT
        d.dlr_id, d.logged_at, b.smsc, b.fid, b.on_receiver, b.burst,
        CASE WHEN d.source = 'kannel_ack' THEN 'ack' WHEN d.ends_message THEN 'final' ELSE 'progress' END AS queue,
        CASE WHEN d.source <> 'kannel_ack' AND contains(e.meta, 'dlr_mask=')
             THEN TRY_CAST(regexp_extract(e.meta, 'dlr_mask=(-?[0-9]+)', 1) AS INTEGER) END AS entry_mask
    FROM repeated_nearest AS d
    JOIN burst_lines AS b
        ON b.smsc = d.smsc AND b.fid = d.fid AND b.on_receiver IS NOT DISTINCT FROM d.on_receiver
        AND b.mt_id = CASE
            WHEN d.before_id IS NOT NULL AND (d.after_id IS NULL OR d.logged_at - d.before_at <= d.after_at - d.logged_at)
                THEN d.before_id
            ELSE d.after_id
        END
    JOIN events AS e ON event_id(e.load_id, e.line_no) = d.dlr_id
    WHERE d.outcome IN ('accepted', 'dropped') AND d.source <> 'kannel_nack' AND b.burst_mts > 1
),

-- the lines each group of DLRs of a burst is shared out among, in the order they were logged
group_lines AS (
    SELECT g.smsc, g.fid, g.on_receiver, g.burst, g.is_ack, g.entry_mask, b.mt_id, b.logged_at,
           row_number() OVER (PARTITION BY g.smsc, g.fid, g.on_receiver, g.burst, g.is_ack, g.entry_mask
                              ORDER BY b.logged_at, b.mt_id) AS pos
    FROM (SELECT DISTINCT smsc, fid, on_receiver, burst, queue = 'ack' AS is_ack, entry_mask FROM burst_dlrs) AS g
    JOIN burst_lines AS b
        ON b.smsc = g.smsc AND b.fid = g.fid AND b.on_receiver IS NOT DISTINCT FROM g.on_receiver AND b.burst = g.burst
    WHERE b.asked_mask IS NULL
       OR CASE WHEN g.is_ack THEN b.asked_mask > 0 AND b.asked_mask & 8 = 8
               ELSE b.asked_mask > 0 AND b.asked_mask & 7 <> 0 AND (g.entry_mask IS NULL OR b.asked_mask = g.entry_mask)
          END
),

queued AS (
    SELECT q.dlr_id, l.mt_id AS queued_id, l.logged_at AS queued_at
    FROM (
        SELECT *,
               queue = 'ack' AS is_ack,
               CASE WHEN queue = 'progress'
                    THEN 1 + coalesce(count_if(queue = 'final') OVER (   -- (not FILTER: quadratic in a running window)
                        PARTITION BY smsc, fid, on_receiver, burst, queue = 'ack', entry_mask ORDER BY logged_at, dlr_id
                        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
                    ELSE row_number() OVER (PARTITION BY smsc, fid, on_receiver, burst, queue, entry_mask
                                            ORDER BY logged_at, dlr_id)
               END AS queue_pos
        FROM burst_dlrs
    ) AS q
    JOIN group_lines AS l
        ON l.smsc = q.smsc AND l.fid = q.fid AND l.on_receiver IS NOT DISTINCT FROM q.on_receiver
        AND l.burst = q.burst AND l.is_ack = q.is_ack AND l.entry_mask IS NOT DISTINCT FROM q.entry_mask
        AND l.pos = q.queue_pos
),

-- the nearest MT lines of each DLR line of a repeated key, or the one its burst's queue gives
repeated_links AS (
    SELECT
        r.dlr_id,
        CASE WHEN q.queued_id IS NULL THEN r.before_id WHEN q.queued_at <= r.logged_at THEN q.queued_id END AS before_id,
        CASE WHEN q.queued_id IS NULL THEN r.before_at WHEN q.queued_at <= r.logged_at THEN q.queued_at END AS before_at,
        CASE WHEN q.queued_id IS NULL THEN r.after_id WHEN q.queued_at > r.logged_at THEN q.queued_id END AS after_id,
        CASE WHEN q.queued_id IS NULL THEN r.after_at WHEN q.queued_at > r.logged_at THEN q.queued_at END AS after_at
    FROM repeated_nearest AS r
    LEFT JOIN queued AS q USING (dlr_id)
),

-- DLRs left to link by context: no FID, or a FID that matches no MT of their smsc
context_candidates AS (
    SELECT d.*
    FROM linkable AS d
    ANTI JOIN mt_fids AS m USING (smsc, fid)
),

-- Lines of one second are taken in the order the gateway wrote them when it is Kannel
-- (line_id: a load's lines in file order): bearerbox logs each submit's `Sent SMS`, then its
-- own ACK, in one thread, so an ACK belongs to the line just before it even when the parts
-- of a message share their second (real Kannel 1.4.5 without %F: with MT lines first, every
-- ACK of a 3-part message went to part 3, parts 1 and 2 had no status). Elsewhere (a
-- canonical export may sort a second's rows any way, `dlr` before `mt` alphabetically) an MT
-- line counts as before the DLR lines of its second (ord).
kannel_loads AS (
    SELECT load_id FROM load_manifest WHERE format = 'kannel'
),

context_timeline AS (
    SELECT smsc, service, sender, receiver, side, logged_at, mt_id, NULL::BIGINT AS dlr_id, 0 AS ord,
           mt_id AS line_id
    FROM mt_lines
    WHERE fid = ''
    UNION ALL
    SELECT smsc, service, sender, receiver, side, logged_at, NULL::BIGINT AS mt_id, dlr_id,
           CASE WHEN dlr_id // 10000000000 IN (SELECT load_id FROM kannel_loads) THEN 0 ELSE 1 END AS ord,
           dlr_id AS line_id
    FROM context_candidates
),

context_before AS (
    SELECT
        dlr_id,
        last_value(mt_id IGNORE NULLS) OVER before_dlr AS context_id,
        last_value(CASE WHEN mt_id IS NOT NULL THEN logged_at END IGNORE NULLS) OVER before_dlr AS context_at
    FROM context_timeline
    WINDOW before_dlr AS (PARTITION BY smsc, service, sender, receiver, side ORDER BY logged_at, ord, line_id
                          ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
    QUALIFY dlr_id IS NOT NULL
),

-- receipts linked by context, paired in order: the receipts that follow a run of MT lines
-- of one key (the parts of a message the application split, sent at once, on a link that
-- logs no FID: Kannel 1.4.0/1.4.1) are theirs one for one when they are as many, the first
-- to the first; nothing else tells them apart, and the nearest MT line before would take
-- them all. Kannel's own ACK/NACK lines (one after each submit) are left out of the runs.
-- Otherwise (more or fewer receipts than lines, as with intermediate receipts) the nearest.
receipt_runs AS (
    SELECT *,
           sum(CASE WHEN mt_id IS NOT NULL AND after_receipt THEN 1 ELSE 0 END) OVER (
               PARTITION BY smsc, service, sender, receiver, side ORDER BY logged_at, ord, line_id
               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS run
    FROM (
        SELECT *,
               coalesce(lag(dlr_id) OVER (PARTITION BY smsc, service, sender, receiver, side
                                          ORDER BY logged_at, ord, line_id) IS NOT NULL, false) AS after_receipt
        FROM context_timeline
        WHERE dlr_id IS NULL OR dlr_id IN (SELECT dlr_id FROM context_candidates WHERE source = 'receipt')
    )
),

receipt_ranked AS (
    SELECT *,
           row_number() OVER (PARTITION BY smsc, service, sender, receiver, side, run, mt_id IS NULL
                              ORDER BY logged_at, ord, line_id) AS pos,
           count(mt_id) OVER (PARTITION BY smsc, service, sender, receiver, side, run) AS run_mts,
           count(dlr_id) OVER (PARTITION BY smsc, service, sender, receiver, side, run) AS run_receipts
    FROM receipt_runs
),

receipt_paired AS (
    SELECT d.dlr_id, m.mt_id AS context_id, m.logged_at AS context_at
    FROM receipt_ranked AS d
    JOIN receipt_ranked AS m
        ON m.smsc = d.smsc AND m.service = d.service AND m.sender = d.sender AND m.receiver = d.receiver
        AND m.side = d.side AND m.run = d.run AND m.pos = d.pos AND m.mt_id IS NOT NULL
    WHERE d.dlr_id IS NOT NULL AND d.run_mts = d.run_receipts AND d.run_mts > 1
),

-- receipts linked by context whose text names their MT: an SMPP receipt's `text:` is the
-- first 20 characters of the message it reports on, so among the MT lines of its key before
-- it (within $fallback_link) the latest whose text starts so is its own, whatever came in
-- between (real Kannel 1.4.5 without %F: the ENROUTE and DELIVRD receipts of a 3-part message,
-- `text:Partie 1/3 : votre c`..., all went to part 3, and the message stayed pending). A
-- receipt without that text, or that no line's text starts with (a UCS-2 message, an SMSC
-- that echoes nothing), is linked as above.
receipt_texts AS (
    SELECT dlr_id, smsc, service, sender, receiver, side, logged_at,
           regexp_extract(text, '(?:^|\s)text:(.+)$', 1) AS said
    FROM context_candidates
    WHERE source = 'receipt' AND contains(text, 'text:')
),

receipt_text_links AS (
    SELECT r.dlr_id,
           arg_max(m.mt_id, (m.logged_at, m.mt_id)) AS context_id,
           max(m.logged_at) AS context_at
    FROM receipt_texts AS r
    JOIN mt_lines AS m
        ON m.fid = '' AND m.smsc = r.smsc AND m.service = r.service AND m.sender = r.sender
        AND m.receiver = r.receiver AND m.side = r.side
        AND m.logged_at <= r.logged_at AND r.logged_at - m.logged_at <= $fallback_link
        AND starts_with(m.text, r.said)
    WHERE r.said <> ''
    GROUP BY r.dlr_id
),

-- every DLR line with the MT lines nearest before and after it on its key
fid_nearest AS NOT MATERIALIZED (
    SELECT
        d.*,
        CASE WHEN m.mt_count > 1 THEN r.before_id WHEN m.mt_at <= d.logged_at THEN m.mt_id END AS before_id,
        CASE WHEN m.mt_count > 1 THEN r.before_at WHEN m.mt_at <= d.logged_at THEN m.mt_at END AS before_at,
        CASE WHEN m.mt_count > 1 THEN r.after_id WHEN m.mt_at > d.logged_at THEN m.mt_id END AS after_id,
        CASE WHEN m.mt_count > 1 THEN r.after_at WHEN m.mt_at > d.logged_at THEN m.mt_at END AS after_at
    FROM dlr_keys AS d
    LEFT JOIN (SELECT dlr_id, mt_count, mt_id, mt_at FROM dlr_fid_keys) AS m USING (dlr_id)
    LEFT JOIN repeated_links AS r USING (dlr_id)
),

links AS (
    SELECT
        d.*,
        -- a FAILED Receive DLR: the MT line before it, or one at most $lost_after after it
        -- when that is nearer (a receipt the SMSC sent before its submit_sm_resp: Kannel had
        -- no store entry yet and logged the MT line when the response came)
        CASE
            WHEN d.outcome <> 'unmatched' THEN NULL
            WHEN d.after_id IS NOT NULL AND d.after_at - d.logged_at <= $lost_after
                 AND (d.before_id IS NULL OR d.after_at - d.logged_at < d.logged_at - d.before_at)
                THEN d.after_id
            ELSE d.before_id
        END AS lost_id,
        CASE
            WHEN d.outcome = 'unmatched' AND lost_id IS NOT NULL THEN 'fid_lost'
            WHEN d.outcome NOT IN ('accepted', 'dropped') THEN NULL
            WHEN d.before_id IS NOT NULL AND (d.after_id IS NULL OR d.logged_at - d.before_at <= d.after_at - d.logged_at)
                THEN 'fid'
            WHEN d.after_id IS NOT NULL THEN 'fid_after'
            WHEN c.context_id IS NOT NULL AND d.logged_at - c.context_at <= CASE
                    WHEN d.source = 'receipt' THEN $fallback_link
                    ELSE $context_link
                END
                THEN CASE WHEN d.fid = '' THEN 'context' ELSE 'fallback' END
        END AS link,
        c.context_id
    FROM fid_nearest AS d
    LEFT JOIN (
        SELECT dlr_id, coalesce(t.context_id, p.context_id, b.context_id) AS context_id,
               coalesce(t.context_at, p.context_at, b.context_at) AS context_at
        FROM context_before AS b
        LEFT JOIN receipt_paired AS p USING (dlr_id)
        LEFT JOIN receipt_text_links AS t USING (dlr_id)
    ) AS c USING (dlr_id)
)

SELECT
    dlr_id,
    link,
    CASE link
        WHEN 'fid' THEN before_id
        WHEN 'fid_after' THEN after_id
        WHEN 'fid_lost' THEN lost_id
        WHEN 'context' THEN context_id
        WHEN 'fallback' THEN context_id
    END AS mt_id
FROM links
