"""Per-message checks of a gateway run, shared by the matrix and the random batch.

Each check returns a list of problems (empty = as expected), so a batch can report every
message that went wrong at once, with the request that produced it.
"""

from __future__ import annotations

from . import gsm, scenario
from .accesslog import Line

#: SMPP data_coding the SMSC receives per Kannel coding
DATA_CODING = {0: 0, 1: 4, 2: 8}


def mt_lines(lines: list[Line], mt: scenario.MT) -> list[Line]:
    found = [l for l in lines if l.label in scenario.MT_LABELS and l["to"] == mt.to]
    if mt.udh:
        found = [l for l in found if l.udh == mt.udh.hex().upper()]
    if len(found) > 1:  # a resubmission to the same receiver: told apart by its outcome
        found = [l for l in found if l.label == mt.label]
    return found


def in_part_order(submits: list) -> list:
    """The accepted submits of a message Kannel split, by their part number (the UDH's last
    byte), not in the order the SMSC got them: a part throttled (0x58) and resent arrives
    after the parts behind it, part 1 last at times (seed 2095485920, under load)."""
    if len(submits) < 2 or not all(len(s.udh) == 6 and s.udh[:3] == b"\x05\x00\x03" for s in submits):
        return submits
    return sorted(submits, key=lambda s: s.udh[5])


def mt_in_log(run, lines: list[Line], mt: scenario.MT) -> list[str]:
    """The MT's one line: label, link, service, sender, coding, mask, UDH, text, FID."""
    found = mt_lines(lines, mt)
    if len(found) != 1:
        return [f"{mt.ref}: {len(found)} MT lines ({[l.label for l in found]})"]
    line = found[0]
    expected = {
        "label": mt.label, "SMSC": mt.line_smsc, "SVC": mt.service, "from": mt.sender,
        "coding": mt.coding_used, "dlr_mask": mt.dlr_mask if mt.dlr_mask is not None else -1,
        "udh": mt.udh.hex().upper(), "text": mt.expected_text(),
    }
    got = {"label": line.label, "SMSC": line["SMSC"], "SVC": line["SVC"], "from": line["from"],
           "coding": line.coding, "dlr_mask": line.dlr, "udh": line.udh, "text": line.decoded()}
    problems = [f"{mt.ref}: {k} {got[k]!r} != expected {v!r}" for k, v in expected.items() if got[k] != v]
    if mt.outcome == "accepted" and mt.line_smsc in scenario.SHORT_CODES:
        submits = run.accepted_submits(mt.to)
        if mt.udh:
            submits = [s for s in submits if s.udh == mt.udh]
        submits = in_part_order(submits)
        if mt.split_by_kannel_without_receipt():
            if line["FID"] != "":
                problems.append(f"{mt.ref}: FID {line['FID']!r}, expected none (split by Kannel, no receipt asked)")
        elif not submits or line["FID"] != submits[0].message_id:
            problems.append(f"{mt.ref}: FID {line['FID']!r} is not the id of its first part")
    return problems


def mt_at_smsc(run, mt: scenario.MT) -> list[str]:
    """What the SMSC accepted: the segments the formula predicts, the coding, the bytes."""
    if mt.outcome != "accepted" or mt.line_smsc not in scenario.SHORT_CODES:
        return []
    submits = run.accepted_submits(mt.to)
    if mt.udh:
        submits = [s for s in submits if s.udh == mt.udh]
        return [] if len(submits) == 1 else [f"{mt.ref}: {len(submits)} submits of an application part"]
    submits = in_part_order(submits)
    problems = []
    if len(submits) != mt.expected_segments():
        problems.append(f"{mt.ref}: SMSC got {len(submits)} segments, formula says {mt.expected_segments()}")
    if {s.data_coding for s in submits} != {DATA_CODING[mt.coding_used]}:
        problems.append(f"{mt.ref}: data_coding {[s.data_coding for s in submits]}")
    if len(submits) > 1:
        if not all(s.udh[:3] == b"\x05\x00\x03" and s.udh[4] == len(submits) for s in submits):
            problems.append(f"{mt.ref}: parts without a concatenation UDH")
        if any(s.registered_delivery & 3 for s in submits[1:]):
            problems.append(f"{mt.ref}: a receipt was asked for a part other than the first")
    payload = b"".join(s.payload for s in submits)
    if mt.coding_used == 0:
        got, want = gsm.gsm_decode(payload), gsm.gsm_roundtrip(mt.text)
    elif mt.coding_used == 2:
        got, want = payload.decode("utf-16-be"), mt.expected_text()
    else:
        got, want = payload, mt.expected_text()
    if got != want:
        problems.append(f"{mt.ref}: SMSC received {got!r}, expected {want!r}")
    return problems


def dlrs_in_log(lines: list[Line], mt: scenario.MT) -> list[str]:
    """The `Receive DLR` statuses of an MT with a receiver of its own, in order."""
    got = [l.dlr for l in lines if l.label == "Receive DLR" and l["to"] == mt.to]
    want = mt.expected_dlrs()
    return [] if got == want else [f"{mt.ref}: DLR statuses {got} != expected {want}"]


def mo_in_log(run, lines: list[Line], mo: scenario.MO) -> list[str]:
    """The MO's one line: label, short code, link, coding, reassembled text, no UDH left."""
    found = [l for l in lines if "Receive SMS" in l.label and l["from"] == "+" + mo.sender]
    if len(found) != 1:
        return [f"{mo.ref}: {len(found)} MO lines"]
    line = found[0]
    expected = {"refused": mo.refused, "to": mo.short_code, "SMSC": mo.smsc, "coding": mo.coding_logged,
                "udh": mo.logged_udh, "text": mo.expected_text()}
    got = {"refused": line.label.startswith("REJECTED"), "to": line["to"], "SMSC": line["SMSC"],
           "coding": line.coding, "udh": line.udh, "text": line.decoded()}
    problems = [f"{mo.ref}: {k} {got[k]!r} != expected {v!r}" for k, v in expected.items() if got[k] != v]
    statuses = run.mo_status.get(mo.sender, [])
    # a black-listed MO is refused to the SMSC too (deliver_sm_resp with an error status)
    if len(statuses) != len(mo.payloads()) or any((s != 0) != mo.refused for s in statuses):
        problems.append(f"{mo.ref}: deliver_sm_resp statuses {statuses}")
    return problems
