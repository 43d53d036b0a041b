-- Data quality: receipts linked to an MT whose text is not the one the receipt names. An SMPP
-- receipt's `text:` is the first 20 characters of the message it reports on (SMPP 3.4,
-- appendix B); when the SMSC's receipt ids are written in another base than its
-- submit_sm_resp ids and Kannel's msg-id-type does not say so, Kannel matches a receipt to
-- whichever MT holds the id it reads (`16` decimal for the MT whose hex id is `16`), logs it
-- `Receive DLR` with that MT's FID and number, and the MT takes a status that is another's (a
-- real Kannel 1.4.5, a session-34 probe: 12 of 24 receipts on other messages, two statuses
-- flipped, nothing said). Compared on their letters and digits only (a log writes a letter
-- it cannot show as '.', an SMSC as '?'), where the receipt names 6 at least and the MT is
-- not UCS-2 or 8-bit (whose first octets an SMSC may echo as anything) nor lost any letter in
-- the log; contained, not a
-- prefix, since a part of a message the gateway split reports on its own part. Per connection: the receipts
-- compared, those naming another text, and the first of them; of the receipts logged on the
-- local days $date_from to $date_to (those an ingest loaded: ingest/cautions.py).
with linked as (
    select
        d.smsc,
        d.logged_at,
        l.path,
        d.line_no,
        regexp_extract(d.text, '(?:^|\s)text:(.*)$', 1) as said,
        m.text as mt_text,
        regexp_replace(regexp_extract(d.text, '(?:^|\s)text:(.*)$', 1), '[^A-Za-z0-9]+', '', 'g') as said_key,
        regexp_replace(m.text, '[^A-Za-z0-9]+', '', 'g') as mt_key
    from fct_dlr as d
    join fct_mt as m using (mt_id)
    join load_manifest as l on l.load_id = d.load_id
    where d.source = 'receipt'
      and d.link in ('fid', 'fid_after', 'fid_lost')
      and m.text is not null
      and coalesce(m.coding, 0) not in (1, 2)
      -- (not where the log lost a letter of the MT, written as its bytes' dots `..`: an SMSC
      -- may echo `é` as `e`, which would read as another text)
      and not contains(m.text, '..')
      and ($date_from is null or d.logged_at >= timezone($tz, cast($date_from as timestamp)))
      and ($date_to is null or d.logged_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
),

compared as (
    select *, not contains(mt_key, said_key) as another
    from linked
    where length(said_key) >= 6
)

select
    coalesce(nullif(smsc, ''), '(none)') as smsc,
    count(*) as compared,
    count(*) filter (where another) as naming_another,
    arg_min(path, logged_at) filter (where another) as first_path,
    arg_min(line_no, logged_at) filter (where another) as first_line_no,
    arg_min(rtrim(said), logged_at) filter (where another) as first_said,
    arg_min(mt_text, logged_at) filter (where another) as first_mt_text
from compared
group by all
having count(*) filter (where another) > 0
order by naming_another desc, smsc
