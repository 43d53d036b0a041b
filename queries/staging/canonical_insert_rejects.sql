-- Refused canonical rows -> rejected_lines: the row as JSON (its columns as read, text), with
-- the first problem found.
INSERT INTO rejected_lines (load_id, line_no, raw, reason)
SELECT
    $load_id,
    row_no,
    to_json({
        'logged_at': logged_at, 'kind': kind, 'outcome': outcome, 'label': label, 'smsc': smsc,
        'service': service, 'account': account, 'binfo': binfo, 'fid': fid, 'meta': meta,
        'sender': sender, 'receiver': receiver, 'mclass': mclass, 'coding': coding, 'mwi': mwi,
        'compress': compress, 'dlr_mask': dlr_mask, 'text_len': text_len, 'text': text,
        'text_lossy': text_lossy, 'udh': udh, 'segments': segments, 'segments_exact': segments_exact
    })::VARCHAR,
    'row ' || row_no || ': ' || reason
FROM canonical_checked
WHERE reason IS NOT NULL
ORDER BY row_no
