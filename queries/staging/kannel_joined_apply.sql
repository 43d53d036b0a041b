-- Kannel access log, staging step 4e: a line cut by a newline in its text takes the reading
-- of it joined to the lines that continue it, and those lines become markers 'continued'
-- (kannel_joined.sql).
UPDATE stg_kannel_slow AS s
SET reason = j.reason, state = j.state, marker = j.marker, logged_at = j.logged_at, label = j.label,
    kind = j.kind, outcome = j.outcome, smsc = j.smsc, service = j.service, account = j.account,
    binfo = j.binfo, fid = j.fid, meta = j.meta, sender = j.sender, receiver = j.receiver, mclass = j.mclass,
    coding = j.coding, mwi = j.mwi, compress = j.compress, dlr_mask = j.dlr_mask, msg_len = j.msg_len,
    text = j.text, udh_len = j.udh_len, udh = j.udh
FROM stg_kannel_joined AS j
WHERE s.line_no = j.line_no
