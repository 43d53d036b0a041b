-- Kannel access log, staging step 4c: the lines read again (kannel_again.sql) take their
-- kept reading.
UPDATE stg_kannel_slow AS s
SET reason = a.reason, state = a.state, logged_at = a.logged_at, label = a.label, kind = a.kind,
    outcome = a.outcome, smsc = a.smsc, service = a.service, account = a.account, binfo = a.binfo,
    fid = a.fid, meta = a.meta, sender = a.sender, receiver = a.receiver, mclass = a.mclass,
    coding = a.coding, mwi = a.mwi, compress = a.compress, dlr_mask = a.dlr_mask, msg_len = a.msg_len,
    text = a.text, udh_len = a.udh_len, udh = a.udh
FROM stg_kannel_again AS a
WHERE s.line_no = a.line_no
