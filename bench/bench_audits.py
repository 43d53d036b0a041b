"""Benchmark of the compliance audits (issue 3): the whole suite against one plain aggregate.

Generates, directly in DuckDB, a month of canonical facts with N MT segments (default 50
million; ~2 million numbers, 7 short codes, 9 services, multipart messages, refusals, DLR
errors, opt-outs), then, in the same process and under `SET memory_limit`, times:

* the baseline: one plain `GROUP BY msisdn, local day` over fct_mt (the same table);
* every audit of opsanalytics.audits.run_all (R1-R10);
* the R12 bill, the R14 quality report, R13's availability and R11's content checks (timed
  apart: not audits of the suite's ratio).

Prints each audit's time, the suite time, the baseline time and their ratio (target <= 6).
Columns the audits never read (text of MT lines, UDH, receipts) are left out of the
generated tables. The database is kept (--db) so that a second run reuses it; --rebuild
forces a new one.

    python bench/bench_audits.py --segments 2000000            # development size
    python bench/bench_audits.py                               # 50 M segments
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sys
import time
from pathlib import Path

from opsanalytics import billing, calendar, content, facts, quality, reference, sla, warehouse
from opsanalytics.audits import RULES, Filters, check_facts
from opsanalytics.config import parse_contract
from opsanalytics.errors import WarehouseError

CONTRACT_TOML = """
timezone = "Europe/Paris"
log_timezone = "Europe/Paris"
[[short_codes]]
code = "36180"
smsc = "ora_36180"
rate = 20
oadc = ["ACME"]
[[short_codes]]
code = "36181"
smsc = "ora_36181"
rate = 50
[[short_codes]]
code = "35200"
smsc = "ora_35200"
geo_presence = true
[[short_codes]]
code = "34100"
smsc = "ora_34100"
[[short_codes]]
code = "38500"
smsc = "ora_38500"
rate = 50
[[short_codes]]
code = "37200"
smsc = "ora_37200"
[[services]]
name = "acme"
brand = "Acme"
category = "marketing"
[[services]]
name = "acme_tx"
brand = "Acme"
category = "transactional"
[[services]]
name = "bellemode"
brand = "BelleMode"
category = "marketing"
[[services]]
name = "club"
brand = "ClubPrivilege"
category = "marketing"
stop_notice_exempt = true
[[services]]
name = "fournil"
brand = "Fournil"
category = "marketing"
[[services]]
name = "quiz"
brand = "QuizMedia"
category = "transactional"
[[services]]
name = "telemetry"
brand = "Telemetrix"
category = "m2m"
[[services]]
name = "chatplus"
brand = "ChatPlus"
category = "interpersonal"
"""

START = dt.date(2026, 10, 15)
DAYS = 31
NUMBERS = 2_000_000
AVG_SEGMENTS = 1.2   # 85 % one segment, 10 % two, 5 % three

# Services by share of logical messages (percent thresholds on a hash), with their short
# code: a marketing-heavy aggregator.
GENERATE_LOGICAL = """
CREATE OR REPLACE TABLE fct_logical_messages AS
WITH seeds AS (
    SELECT
        i AS n,
        hash(i, 1) AS h1, hash(i, 2) AS h2, hash(i, 3) AS h3, hash(i, 4) AS h4,
        hash(i, 5) AS h5, hash(i, 6) AS h6
    FROM range($logical) AS t(i)
),
drawn AS (
    SELECT
        n, h1, h3, h4, h5, h6,
        CASE
            WHEN h2 % 100 < 32 THEN 'acme'
            WHEN h2 % 100 < 57 THEN 'bellemode'
            WHEN h2 % 100 < 67 THEN 'fournil'
            WHEN h2 % 100 < 72 THEN 'club'
            WHEN h2 % 100 < 87 THEN 'acme_tx'
            WHEN h2 % 100 < 92 THEN 'quiz'
            WHEN h2 % 100 < 96 THEN 'telemetry'
            ELSE 'chatplus'
        END AS service,
        CASE WHEN h5 % 100 < 85 THEN 1 WHEN h5 % 100 < 95 THEN 2 ELSE 3 END AS segments
    FROM seeds
),
placed AS (
    SELECT
        d.*,
        s.brand,
        s.category,
        CASE d.service
            WHEN 'acme' THEN CASE WHEN h3 % 3 = 0 THEN '36181' ELSE '36180' END
            WHEN 'acme_tx' THEN '36180'
            WHEN 'bellemode' THEN '36181'
            WHEN 'club' THEN '36180'
            WHEN 'fournil' THEN '35200'
            WHEN 'quiz' THEN '34100'
            WHEN 'telemetry' THEN '38500'
            ELSE '37200'
        END AS short_code,
        CASE
            WHEN d.service = 'telemetry' THEN '+33700' || lpad(cast(h1 % 200000 AS VARCHAR), 10, '0')
            WHEN h1 % 10000 < 5 THEN '+590690' || lpad(cast(h1 % 900000 AS VARCHAR), 6, '0')
            WHEN h1 % 10000 < 8 THEN '+447700' || lpad(cast(h1 % 900000 AS VARCHAR), 6, '0')
            WHEN h1 % 10000 < 9 THEN '+3361234'
            -- 0.1 % to a number drawn at random (some go over the frequency cap)
            WHEN h1 % 10000 < 19 THEN '+336' || lpad(cast(h1 % $numbers AS VARCHAR), 8, '0')
            -- the rest walks through the number base: a day's traffic (fewer messages than
            -- numbers) reaches each number at most once
            ELSE '+336' || lpad(cast((n * 1000003) % $numbers AS VARCHAR), 8, '0')
        END AS msisdn,
        -- the platform sends continuously through the window of every jour ouvrable, at a
        -- steady overall rate: message n goes in second n // $per_second of the month's
        -- windows; 0.05 % are moved to a Sunday or a holiday, 0.1 % outside the hours
        (n // $per_second) // 50400 AS day_index,
        CASE WHEN h4 % 10000 < 10 THEN h4 % 86400 ELSE 28800 + (n // $per_second) % 50400 END AS second_of_day,
        h6 % 1000 >= 15 AS accepted
    FROM drawn AS d
    JOIN ref_services AS s ON s.name = d.service
),
calendar AS (
    SELECT cast($start AS DATE) + cast(i AS INTEGER) AS day
    FROM range($days) AS t(i)
),
workdays AS (
    SELECT day, row_number() OVER (ORDER BY day) - 1 AS day_index
    FROM calendar
    WHERE dayofweek(day) <> 0 AND day NOT IN (SELECT day FROM ref_holidays)
),
rest_days AS (
    SELECT day, row_number() OVER (ORDER BY day) - 1 AS rest_index, count(*) OVER () AS rest_count
    FROM calendar
    WHERE dayofweek(day) = 0 OR day IN (SELECT day FROM ref_holidays)
),
dated AS (
    SELECT
        p.*,
        timezone($tz, cast(CASE WHEN p.h4 % 10000 >= 9995 THEN r.day ELSE w.day END AS TIMESTAMP)
                      + to_seconds(cast(p.second_of_day AS BIGINT))) AS submitted_at
    FROM placed AS p
    JOIN workdays AS w ON w.day_index = p.day_index
    JOIN rest_days AS r ON r.rest_index = p.h3 % r.rest_count
)
SELECT
    n * 4 AS logical_id,
    list_transform(range(segments), lambda k: n * 4 + k) AS mt_ids,
    msisdn,
    service,
    brand,
    category,
    short_code,
    CASE WHEN h5 % 10000 < 5 THEN 'PROMO' WHEN short_code = '36180' AND h5 % 7 = 0 THEN 'ACME' ELSE short_code END AS oadc,
    'ora_' || short_code AS smsc,
    submitted_at,
    CASE WHEN accepted THEN n * 4 END AS first_accepted_mt_id,
    CASE WHEN accepted THEN submitted_at END AS last_accepted_at,   -- (every part in one second)
    CASE WHEN accepted THEN n * 4 + segments - 1 END AS last_accepted_mt_id,
    accepted,
    CASE
        WHEN category <> 'marketing' THEN 'Votre code : ' || cast(h4 % 1000000 AS VARCHAR)
        WHEN h6 % 10000 < 20 THEN brand || ' : offre ' || cast(h5 % 300 AS VARCHAR) || ' -20% ce week-end'
        ELSE brand || ' : offre ' || cast(h5 % 300 AS VARCHAR) || ' -20% ce week-end. STOP au ' || short_code
    END AS text,
    false AS text_lossy,
    segments AS parts_expected,
    segments AS parts_seen,
    segments,
    true AS segments_exact,
    31 AS dlr_mask_requested,
    1 AS attempts,
    NULL::STRUCT(submitted_at TIMESTAMPTZ, smsc VARCHAR, short_code VARCHAR, oadc VARCHAR, mt_id BIGINT)[] AS accepted_attempts,
    CASE WHEN NOT accepted THEN NULL WHEN h6 % 100 < 90 THEN 'delivered' ELSE 'failed' END AS final_status,
    CASE WHEN accepted THEN submitted_at + to_seconds(cast(5 + h6 % 600 AS BIGINT)) END AS final_at
FROM dated
"""

GENERATE_MT = """
CREATE OR REPLACE TABLE fct_mt AS
SELECT
    mt_id,
    cast(1 AS INTEGER) AS load_id,
    mt_id AS line_no,
    submitted_at,
    CASE WHEN accepted THEN 'accepted' ELSE 'refused' END AS outcome,
    CASE WHEN accepted THEN 'Sent SMS' ELSE 'REJECTED Send SMS' END AS label,
    smsc, service, brand, category, short_code, oadc, msisdn, msisdn AS msisdn_raw,
    CASE WHEN starts_with(msisdn, '+33700') THEN 'm2m' WHEN starts_with(msisdn, '+590690') THEN 'overseas_mobile'
         WHEN starts_with(msisdn, '+44') THEN 'foreign' WHEN length(msisdn) <> 12 THEN 'malformed'
         ELSE 'metro_mobile' END AS number_kind,
    CASE WHEN starts_with(msisdn, '+590') THEN 'GP' WHEN starts_with(msisdn, '+44') THEN 'GB' ELSE 'FR' END AS number_territory,
    1 AS segments,
    1 AS segments_max,   -- no lossy text here: the upper bound is the count (R8)
    true AS segments_exact,
    31 AS dlr_mask_requested,
    -- R14's campaigns: Kannel's BINF, empty on a third of the lines
    CASE WHEN mt_id % 3 = 0 THEN '' ELSE 'campaign' || cast(mt_id % 40 AS VARCHAR) END AS binfo,
    logical_id,
    false AS partly_sent,
    NULL::VARCHAR AS forwarded,
    final_status,
    final_at,
    CASE WHEN final_status = 'failed' THEN CASE WHEN mt_id % 3 = 0 THEN '011' ELSE '027' END END AS dlr_err
FROM (SELECT *, unnest(mt_ids) AS mt_id FROM fct_logical_messages)
"""

GENERATE_MO = """
CREATE OR REPLACE TABLE fct_mo AS
SELECT
    cast(9 AS BIGINT) * 10000000000 + i AS mo_id,
    cast(9 AS INTEGER) AS load_id,
    i AS line_no,
    timezone($tz, cast($start AS TIMESTAMP) + to_seconds(cast(hash(i, 7) % ($days * 86400) AS BIGINT))) AS received_at,
    'ora_' || code AS smsc,
    'accepted' AS outcome,
    '+336' || lpad(cast(hash(i, 8) % $numbers AS VARCHAR), 8, '0') AS msisdn,
    code AS short_code,
    CASE WHEN hash(i, 9) % 100 < 30 THEN 'STOP' WHEN hash(i, 9) % 100 < 32 THEN 'START' ELSE 'JEU' END AS text,
    false AS text_lossy,
    CASE WHEN hash(i, 9) % 100 < 30 THEN 'STOP' WHEN hash(i, 9) % 100 < 32 THEN 'START' END AS keyword,
    CASE WHEN hash(i, 9) % 100 < 30 THEN 'STOP' WHEN hash(i, 9) % 100 < 32 THEN 'START' ELSE 'JEU' END AS first_word
FROM (
    SELECT i, ['36180', '36181', '35200', '34100'][1 + cast(hash(i, 10) % 4 AS INTEGER)] AS code
    FROM range($mo) AS t(i)
)
UNION ALL
-- the MO that opens each 34ABC session, 1 to 30 minutes before its MT (1 % never sent)
SELECT
    cast(8 AS BIGINT) * 10000000000 + logical_id, cast(8 AS INTEGER), logical_id,
    submitted_at - to_seconds(cast(60 + hash(logical_id, 11) % 1740 AS BIGINT)),
    smsc, 'accepted', msisdn, short_code, 'JEU', false, NULL, 'JEU'
FROM fct_logical_messages
WHERE short_code = '34100' AND hash(logical_id, 12) % 100 > 0
"""

GENERATE_DLR = """
CREATE OR REPLACE TABLE fct_dlr AS
SELECT mt_id AS dlr_id, load_id, line_no, final_at AS logged_at, smsc, '' AS fid, service,
       CASE final_status WHEN 'delivered' THEN 1 ELSE 2 END AS status, mt_id,
       'receipt' AS source, false AS unmatched, NULL::VARCHAR AS text, 'accepted' AS outcome,
       oadc AS sender, msisdn_raw AS receiver,
       CASE final_status WHEN 'delivered' THEN 'DELIVRD' ELSE 'UNDELIV' END AS stat, NULL::VARCHAR AS receipt_id
FROM fct_mt
WHERE final_status IS NOT NULL AND mt_id % 100 = 0
"""

BASELINE = """
SELECT count(*) AS groups, sum(n) AS lines
FROM (
    SELECT msisdn, cast(timezone($tz, submitted_at) AS DATE) AS day, count(*) AS n
    FROM fct_mt
    GROUP BY msisdn, day
)
"""


def build(path: Path, segments: int, contract) -> None:
    if path.exists():
        path.unlink()
    con = warehouse.connect(path, create=True)
    t0 = time.perf_counter()
    reference.write(con, contract)
    logical = int(segments / AVG_SEGMENTS)
    workdays = sum(calendar.is_jour_ouvrable(START + dt.timedelta(days=i)) for i in range(DAYS))
    params = {"logical": logical, "numbers": NUMBERS, "tz": contract.timezone, "start": START, "days": DAYS,
              "mo": max(1000, segments // 2000), "per_second": -(-logical // (workdays * 50400))}
    for sql in (GENERATE_LOGICAL, GENERATE_MT, GENERATE_MO, GENERATE_DLR):
        con.execute(sql, warehouse.bind(sql, params)).fetchall()
    warehouse.execute(con, "facts/fct_opt_events").fetchall()   # built from fct_mo as facts.build does
    warehouse.execute(con, "facts/fct_accepted_attempts").fetchall()   # the view R2-R7 read
    warehouse.execute(con, "facts/fct_accepted_sends").fetchall()      # and R2, R4, R5 each line
    # facts written in this version's shape: recorded as this code's, which every reader checks
    warehouse.execute(con, "facts/build_record", {"fingerprint": "bench_audits", "code_fingerprint": facts.code_fingerprint(),
                                                  "seconds": time.perf_counter() - t0}).fetchall()
    con.execute("CHECKPOINT")
    n_mt, n_logical = con.execute(
        "SELECT (SELECT count(*) FROM fct_mt), (SELECT count(*) FROM fct_logical_messages)").fetchall()[0]
    con.close()
    print(f"generated {n_mt:,} MT segments in {n_logical:,} logical messages "
          f"in {time.perf_counter() - t0:.1f} s -> {path}", flush=True)


def timed(label: str, fn):
    """Wall and CPU seconds of fn(). The machine is shared: CPU time (all threads of this
    process) is the steadier measure when other jobs compete for the cores."""
    t0, c0 = time.perf_counter(), time.process_time()
    value = fn()
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"  {label:<28} {elapsed:8.2f} s wall {cpu:8.2f} s cpu", flush=True)
    return (elapsed, cpu), value


def _built_by_this_code(path: Path) -> bool:
    """Whether a kept benchmark database holds facts of this code (the audits refuse others)."""
    con = warehouse.connect(path, read_only=True)
    try:
        facts.check_code(con)
        return True
    except WarehouseError:
        print(f"{path}: generated by another version of opsanalytics: generated again", flush=True)
        return False
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=50_000_000, help="MT segments to generate")
    parser.add_argument("--db", default=None, help="benchmark database (default /tmp/bench_audits_<N>.duckdb)")
    parser.add_argument("--rebuild", action="store_true", help="generate the data again")
    parser.add_argument("--memory-limit", default="4GB")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)

    contract = parse_contract(CONTRACT_TOML, "bench-contract.toml")
    path = Path(args.db or f"/tmp/bench_audits_{args.segments}.duckdb")
    if args.rebuild or not path.exists() or not _built_by_this_code(path):
        build(path, args.segments, contract)

    con = warehouse.connect(path, read_only=True, threads=args.threads, memory_limit=args.memory_limit)
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / "bench_audits_spill"
    con.execute("SET temp_directory = $dir", {"dir": str(tmp)})
    check_facts(con, contract)
    n_mt = con.execute("SELECT count(*) FROM fct_mt").fetchall()[0][0]
    print(f"{n_mt:,} MT segments; memory_limit={args.memory_limit}, threads={args.threads}", flush=True)

    baseline, (groups, lines) = timed(
        "baseline GROUP BY msisdn, day",
        lambda: con.execute(BASELINE, {"tz": contract.timezone}).fetchall()[0])
    print(f"    ({groups:,} groups over {lines:,} lines)")

    suite = [0.0, 0.0]
    suite_without_r9 = [0.0, 0.0]
    for spec in RULES.values():
        spent, result = timed(f"{spec.id} {spec.name}", lambda: spec.function(con, contract, Filters()))
        print(f"    violations={result.violations:,}")
        for i in (0, 1):
            suite[i] += spent[i]
            if spec.id != "R9":
                suite_without_r9[i] += spent[i]
    timed("R12 bill (apart)", lambda: billing.invoice(con, contract))
    timed("R14 quality (apart)", lambda: quality.quality(con, contract, Filters()))
    # (R13 and R11 too: R13's running counts were quadratic on 6 M lines, seen by no benchmark)
    timed("R13 sla (apart)", lambda: sla.sla(con, contract, Filters()))
    timed("R11 content (apart)", lambda: content.content(con, contract, Filters()))
    baseline_again, _ = timed("baseline again", lambda: con.execute(BASELINE, {"tz": contract.timezone}).fetchall())
    base = [min(baseline[i], baseline_again[i]) for i in (0, 1)]
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    for i, what in ((0, "wall"), (1, "cpu")):
        print(f"{what}: suite {suite[i]:.2f} s (R1-R8, R10: {suite_without_r9[i]:.2f} s); baseline {base[i]:.2f} s "
              f"(best of two); ratio {suite[i] / base[i]:.2f} (R1-R8, R10: {suite_without_r9[i] / base[i]:.2f}); "
              "target <= 6")
    print(f"peak RSS {peak_gb:.2f} GB under memory_limit={args.memory_limit}; no out-of-memory")
    return 0


if __name__ == "__main__":
    sys.exit(main())
