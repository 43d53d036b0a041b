"""Benchmark of the Kannel loader against the floor, measured in the same run.

Generates N realistic Kannel 1.4.5 access-log lines (default 5,000,000: MT, ACK and receipt
DLRs, MO, refusals, multipart UDH, UCS-2 hex, lossy GSM text with `] [` inside, 1 % truncated
lines), then, each in its own subprocess so that peak RSS is the loader's own:
  - floor:  DuckDB storing the same raw lines, unparsed, into a table;
  - load:   the Kannel loader alone (sha256, parse, manifest, commit) into a fresh warehouse;
  - ingest: `opsanalytics.ingest.ingest_files` (the loader, then the facts rebuilt);
  - again:  the same ingest once more, into the warehouse a first (untimed) ingest filled:
            nothing is new, so the file is recognised and the facts kept (a nightly job
            offered logs it already loaded).
Both run under `opsanalytics ingest`'s default memory limit (warehouse.LOAD_MEMORY_LIMIT).
Prints wall time, lines/s, peak RSS and the ratio ingest/floor. Targets (issue 7): ratio <= 2,
peak RSS <= 1.5 GB for 5 M lines.

    python bench/bench_ingest.py [--lines N] [--threads 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

# One query: row i of range(N) becomes one access-log line. Values come from hashes of i, so
# lines are distinct (no dictionary-compression shortcut) but the run is deterministic. A DLR
# (ACK or handset receipt) is about the last MT line before it: its SMSC, FID, service and
# number are that MT's (k = the MT's line), so the facts link it by FID as on a real gateway.
GENERATE = r"""
COPY (
WITH kinds AS (
    SELECT i,
           (hash(i, 1) % 1000)::BIGINT AS r,
           TIMESTAMP '2026-11-01 00:00:00' + to_seconds(i * $span // $n) AS ts
    FROM range($n) t(i)
), base AS (
    SELECT i, r, ts, (hash(k, 2) % 1000000007)::BIGINT AS h, k
    FROM (
        SELECT *,
               CASE WHEN r >= 420 AND r < 880
                    THEN coalesce(max(CASE WHEN r < 420 THEN i END)
                                  OVER (ORDER BY i ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), i)
                    ELSE i END AS k
        FROM kinds
    )
), shaped AS (
    SELECT i, r, h, strftime(ts, '%Y-%m-%d %H:%M:%S') AS prefix,
           CASE WHEN h % 2 = 0 THEN 'ora_36180' ELSE 'ora_36181' END AS smsc,
           ['acme', 'jeu_app', 'banque', 'shop'][1 + h % 4] AS svc,
           '336' || lpad((h % 100000000)::VARCHAR, 8, '0') AS msisdn,
           upper(printf('%08x', k)) AS fid,
           CASE h % 7
             WHEN 0 THEN 'Promo: -20% avec le code [..T..] .. 5... {ok} ~ ^ | \ fin ' || (h % 9999)::VARCHAR
             WHEN 1 THEN 'Votre code est ' || (h % 10000)::VARCHAR || '. R..pondez STOP au 36180 pour ne plus recevoir de SMS.'
             WHEN 2 THEN 'Offre sp..ciale ..t.. : profitez de -30% sur toute la boutique jusqu''.. dimanche minuit, code [ETE' || (h % 100)::VARCHAR || '] valable une fois, d..s 20... d''achat. Livraison offerte .. partir de 50.... Conditions sur acme.example/cgv'
             WHEN 3 THEN 'Rappel RDV le ' || (1 + h % 28)::VARCHAR || '/11 a ' || (h % 24)::VARCHAR || 'h. STOP 36180'
             WHEN 4 THEN 'Jeu: r..ponse .. [B] pour 5... ref ' || (h % 100000)::VARCHAR
             WHEN 5 THEN 'Partie 1/3 : votre commande n?' || (h % 10000)::VARCHAR || ' a ..t.. exp..di..e. '
             ELSE 'Bonjour ' || (h % 1000)::VARCHAR || ', votre colis est disponible en point relais.'
           END AS gsm_text
    FROM base
), texts AS (
    SELECT *, 'id:' || fid || ' sub:001 dlvrd:001 submit date:2611251719 done date:2611251719 stat:'
              || CASE WHEN r < 860 THEN 'DELIVRD err:000' ELSE 'UNDELIV err:001' END
              || ' text:' || rpad(substr(gsm_text, 1, 20), 20, ' ') AS receipt
    FROM shaped
), lines AS (
    SELECT i, r, prefix || ' ' || CASE
      WHEN r < 380 THEN 'Sent SMS [SMSC:' || smsc || '] [SVC:' || svc || '] [ACT:] [BINF:] [FID:' || fid
           || '] [META:?smpp_resp?] [from:' || CASE WHEN r < 20 THEN 'Ma Banque' ELSE '36180' END || '] [to:' || msisdn
           || '] [flags:-1:0:-1:-1:31] [msg:' || length(gsm_text)::VARCHAR || ':' || gsm_text || '] [udh:'
           || CASE WHEN r % 50 = 7 THEN '6:05000341030' || (1 + r % 3)::VARCHAR ELSE '0:' END || ']'
      WHEN r < 420 THEN 'Sent SMS [SMSC:' || smsc || '] [SVC:' || svc || '] [ACT:] [BINF:] [FID:' || fid
           || '] [META:?smpp_resp?] [from:36181] [to:' || msisdn
           || '] [flags:-1:2:-1:-1:31] [msg:52:00C9007400E90020D83DDE00002000E00020006200690065006E007400F40074002000210020003520AC0020005B006F006B005D] [udh:0:]'
      WHEN r < 600 THEN 'Receive DLR [SMSC:' || smsc || '] [SVC:' || svc || '] [ACT:] [BINF:] [FID:' || fid
           || '] [META:?smpp_resp??orig_msg?dlr_mask=31&] [from:36180] [to:' || msisdn || '] [flags:-1:-1:-1:-1:8] [msg:4:ACK/] [udh:0:]'
      WHEN r < 880 THEN 'Receive DLR [SMSC:' || smsc || '] [SVC:' || svc || '] [ACT:acme36180] [BINF:] [FID:' || fid
           || '] [META:?orig_msg?dlr_mask=31&?smpp?dlr_err=%03%00%00&] [from:36180] [to:' || msisdn
           || '] [flags:-1:-1:-1:-1:' || CASE WHEN r < 860 THEN '1' ELSE '2' END || '] [msg:'
           || length(receipt)::VARCHAR || ':' || receipt || '] [udh:0:]'
      WHEN r < 940 THEN 'Receive SMS [SMSC:' || smsc || '] [SVC:] [ACT:acme36180] [BINF:] [FID:] [META:?smpp?] [from:+'
           || msisdn || '] [to:36180] [flags:-1:0:-1:0:-1] [msg:'
           || CASE WHEN r < 910 THEN '4:STOP' ELSE '12: Stop merci ' END || '] [udh:0:]'
      WHEN r < 960 THEN 'Receive SMS [SMSC:' || smsc || '] [SVC:] [ACT:acme36180] [BINF:] [FID:] [META:?smpp?] [from:+'
           || msisdn || '] [to:36180] [flags:-1:2:-1:0:-1] [msg:10:00410052005200CA0054] [udh:0:]'
      WHEN r < 975 THEN 'REJECTED Send SMS [SMSC:' || smsc || '] [SVC:' || svc || '] [ACT:] [BINF:] [FID:] [META:?smpp_resp?] [from:36180] [to:'
           || msisdn || '] [flags:-1:0:-1:-1:31] [msg:' || length(gsm_text)::VARCHAR || ':' || gsm_text || '] [udh:0:]'
      WHEN r < 985 THEN 'Receive DLR [SMSC:' || smsc || '] [SVC:' || svc || '] [ACT:] [BINF:] [FID:] [META:?orig_msg?dlr_mask=31&] [from:36180] [to:'
           || msisdn || '] [flags:-1:-1:-1:-1:16] [msg:43:NACK/0x0000000b/Invalid Destination Address] [udh:0:]'
      WHEN r < 990 THEN 'FAILED Receive DLR [SMSC:' || smsc || '] [SVC:] [ACT:] [BINF:] [FID:' || fid || '] [META:?smpp?] [from:'
           || msisdn || '] [to:36180] [flags:-1:0:-1:0:-1] [msg:100:id:' || fid
           || ' sub:001 dlvrd:001 submit date:2611251719 done date:2611251719 stat:DELIVRD err:000 text:] [udh:0:]'
      WHEN r < 992 THEN 'DISCARDED SMS [SMSC:] [SVC:' || svc || '] [ACT:] [BINF:] [FID:] [META:] [from:36180] [to:447700900123] [flags:-1:0:-1:-1:31] [msg:'
           || length(gsm_text)::VARCHAR || ':' || gsm_text || '] [udh:0:]'
      ELSE 'Sent SMS [SMSC:' || smsc || '] [SVC:' || svc || '] [ACT:] [BINF:] [FID:' || fid
           || '] [META:?smpp_resp?] [from:36180] [to:' || msisdn || '] [flags:-1:0:-1:-1:31] [msg:'
           || length(gsm_text)::VARCHAR || ':' || gsm_text || '] [udh:0:]'
    END AS line
    FROM texts
)
SELECT CASE
         WHEN i = 0 THEN left(line, 20) || 'Log begins'
         WHEN r >= 992 THEN left(line, length(line) * 6 // 10)   -- ~1 % truncated lines
         ELSE line
       END AS line
FROM lines
ORDER BY i
) TO '__OUT__' (FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER '\x01')
"""

CONTRACT = 'timezone = "Europe/Paris"\nlog_timezone = "Europe/Paris"\n'


def generate(path: Path, n: int) -> None:
    """Write n access-log lines to `path` (DuckDB does the writing: seconds, not minutes)."""
    con = duckdb.connect()
    # COPY's target cannot be a parameter; the path is ours (a temp dir), never user text.
    con.execute(GENERATE.replace("__OUT__", str(path).replace("'", "''")),
                {"n": n, "span": 30 * 86400})
    con.close()


def _floor(log: Path, db: Path, threads: int) -> None:
    con = duckdb.connect(str(db))
    con.execute("SET threads = $threads", {"threads": threads})
    con.execute(
        "CREATE TABLE raw_lines AS SELECT line FROM read_csv($p, columns = {'line': 'VARCHAR'}, "
        "delim = '\\0', quote = '', escape = '', header = false, auto_detect = false)", {"p": str(log)})
    con.close()


def _load(log: Path, db: Path, threads: int) -> None:
    """The loader alone: sha256, parse, manifest, commit (no facts rebuild)."""
    from opsanalytics import warehouse
    from opsanalytics.config import parse_contract
    from opsanalytics.ingest import load_file

    con = warehouse.connect(db, create=True, threads=threads, memory_limit=warehouse.LOAD_MEMORY_LIMIT)
    with warehouse.transaction(con):
        result = load_file(con, parse_contract(CONTRACT), log.resolve(), "kannel", progress=False)
    con.close()
    print(json.dumps({"lines": result.lines, "events": result.events, "markers": result.markers,
                      "rejected": result.rejected}))


def _ingest(log: Path, db: Path, threads: int) -> None:
    """What `opsanalytics ingest` does: the loader, then the facts rebuilt, one transaction."""
    from opsanalytics import warehouse
    from opsanalytics.config import parse_contract
    from opsanalytics.ingest import ingest_files

    con = warehouse.connect(db, create=True, threads=threads, memory_limit=warehouse.LOAD_MEMORY_LIMIT)
    [result] = ingest_files(con, parse_contract(CONTRACT), [log], progress=False)
    con.close()
    print(json.dumps({"lines": result.lines, "events": result.events, "markers": result.markers,
                      "rejected": result.rejected}))


def _child(which: str, log: str, db: str, threads: int) -> None:
    if which != "floor":  # imports are not the loader's work: done before the clock starts
        import opsanalytics.facts  # noqa: F401
        import opsanalytics.ingest.kannel  # noqa: F401
    if which == "again":  # the first ingest, untimed, and its peak RSS forgotten
        _ingest(Path(log), Path(db), threads)
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM (Linux)
    start = time.perf_counter()
    {"floor": _floor, "load": _load, "ingest": _ingest, "again": _ingest}[which](Path(log), Path(db), threads)
    wall = time.perf_counter() - start
    print(json.dumps({"wall": wall, "rss": _peak_rss()}))


def _peak_rss() -> int:
    """Peak resident memory of this process, in bytes. VmHWM belongs to the process's own
    memory map; ru_maxrss would also carry the parent's peak (inherited across fork+exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _run(which: str, log: Path, workdir: Path, threads: int) -> dict:
    db = workdir / f"{which}.duckdb"
    for p in (db, db.with_suffix(".duckdb.wal")):
        p.unlink(missing_ok=True)
    proc = subprocess.run([sys.executable, __file__, "--child", which, str(log), str(db), str(threads)],
                          capture_output=True, text=True)
    if proc.returncode:
        sys.exit(f"{which} failed:\n{proc.stderr}")
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    result = lines[-1]
    for extra in lines[:-1]:
        result.update(extra)
    db.unlink(missing_ok=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=5_000_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1, help="interleaved runs; medians are reported")
    parser.add_argument("--no-facts", action="store_true", help="skip the full ingests (facts rebuild)")
    parser.add_argument("--keep", type=Path, help="directory to keep the generated log in (reused if present)")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        which, log, db, threads = args.child
        _child(which, log, db, int(threads))
        return 0

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="bench_ingest_"))
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / f"access-{args.lines}.log"
    if not log.exists():
        start = time.perf_counter()
        generate(log, args.lines)
        print(f"generated {args.lines:,} lines ({log.stat().st_size / 1e9:.2f} GB) "
              f"in {time.perf_counter() - start:.1f} s: {log}")
    kinds = ("floor", "load") if args.no_facts else ("floor", "load", "ingest", "again")
    runs: dict[str, list[dict]] = {k: [] for k in kinds}
    for _ in range(args.repeat):
        for which in kinds:
            runs[which].append(_run(which, log, workdir, args.threads))

    def median(which: str, key: str) -> float:
        values = sorted(r[key] for r in runs[which])
        return values[len(values) // 2]

    print(f"{'':8} {'wall s':>8} {'lines/s':>12} {'peak RSS':>10} {'/ floor':>8}")
    floor = median("floor", "wall")
    for which in kinds:
        wall = median(which, "wall")
        print(f"{which:8} {wall:8.2f} {args.lines / wall:12,.0f} {median(which, 'rss') / 1e9:8.2f} GB {wall / floor:8.2f}")
    load = runs["load"][-1]
    print(f"accounting: lines={load['lines']} events={load['events']} markers={load['markers']} "
          f"rejected={load['rejected']}")
    print("floor = DuckDB storing the raw lines; load = the Kannel loader alone (sha256, parse, "
          "manifest, commit);\ningest = load + facts rebuild, as `opsanalytics ingest`; again = the same ingest "
          "once more (nothing new: facts kept).\nTargets (issue 7): ingest/floor <= 2 and peak RSS <= 1.5 GB at 5 M lines "
          "(load/floor: the loader's share of it).")
    if not args.keep:
        log.unlink()
        workdir.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
