"""The hand-made event builders (eventrows.Log, auditrows.Traffic) write what a loader
would: labels Kannel writes, mapped as the Kannel staging maps them, in the events table's
columns. A label no Kannel writes would make a test of refused MO lines stand on rows no
ingest can produce."""

from __future__ import annotations

import datetime as dt

from auditrows import Traffic, paris
from eventrows import EVENT_COLUMNS, LABELS, Log, new_db
from opsanalytics import warehouse


def _kannel_labels() -> dict[str, tuple[str, str]]:
    con = warehouse.connect(":memory:")
    con.execute(warehouse.query_text("staging/kannel_macros"))
    rows = con.execute("SELECT label, kind, outcome FROM (SELECT unnest(kannel_labels(), recursive := true))")
    return {label: (kind, outcome) for label, kind, outcome in rows.fetchall()}


def test_eventrows_labels_are_kannel_labels_mapped_as_the_loader_maps_them():
    kannel = _kannel_labels()
    assert {label: kannel.get(label) for label in LABELS} == LABELS
    assert "REJECTED Receive SMS - black-listed SMS" in LABELS


def test_traffic_writes_kannel_labels_mapped_as_the_loader_maps_them():
    t = Traffic()
    t.send("+33612345678", paris("2026-11-10 10:00:00"), final_status="delivered")
    t.send("+33612345679", paris("2026-11-10 10:01:00"), accepted=False)
    t.receive("+33612345678", paris("2026-11-10 10:02:00"), "STOP", keyword="STOP")
    t.receive("+33612345679", paris("2026-11-10 10:03:00"), "STOP", accepted=False)
    kannel = _kannel_labels()
    written = {(row[3], (row[4], row[5])) for row in t.rows}
    assert {(label, kannel.get(label)) for label, _ in written} == written
    assert ("REJECTED Receive SMS - black-listed SMS", ("mo", "refused")) in written


def test_event_columns_are_the_events_table_in_its_order():
    con = new_db()
    columns = con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'events' "
                          "ORDER BY ordinal_position").fetchall()
    assert EVENT_COLUMNS == tuple(c[0] for c in columns)
    log = Log()
    log.line(0, "Sent SMS", fid="A", text="a")
    log.write(con)
    assert con.execute("SELECT label, logged_at, segments FROM events").fetchall() == [
        ("Sent SMS", dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.timezone.utc), 1)]
