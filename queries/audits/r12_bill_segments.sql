-- R12 BILL: the segments of accepted MT lines per local month, short code and brand, by
-- what their final status lets Orange bill. Orange bills "les SMS-MT remis à l'utilisateur"
-- (the offer's footnote 1): one SMS-MT per segment delivered (RULES.md "Counting segments"),
-- so the bill counts the segments of lines whose final status is delivered. The other
-- columns say what the bill rests on: undelivered (failed, expired, Kannel NACK) are not
-- billable; unknown (no final receipt: none asked for, lost, or still pending) may have
-- been delivered, and billed, without the log knowing. A month is the local month ($tz) the
-- line was submitted in; a receipt that comes after midnight on the last day bills in the
-- month of the submit. The short code is fct_mt's (NULL: neither connection nor sender
-- names one); the brand fct_mt's (NULL: a service the contract does not declare).
-- A message Kannel split itself whose part 1 the SMSC accepted and a later part refused
-- (fct_mt.partly_sent: logged as a failure line with part 1's FID) reached the number in
-- part: part 1's receipts, which link to the line, bill its 1 segment when it says
-- delivered; at least one part was refused (undelivered, with part 1 when its receipt
-- failed); which of the parts between went through the log does not say (unknown).
-- Every column adds up over the rows: delivered + undelivered + unknown = accepted.
-- delivered_outside: of the delivered segments, those a short code sent on days outside its
-- subscription ($subscribed_codes, with the contract's $subscribed_since and $subscribed_until
-- at the same positions; NULL: open), for the bill to say so: Orange bills what it delivered,
-- subscribed or not, but a month held in part read as if all its traffic were subscribed (a
-- probe: a code subscribed from the 10th sent from the 1st without a word).
-- segments_possibly_more: how many segments more than `segments` the lines that may have been
-- billed (delivered, or no final receipt; not undelivered, not partly sent, whose billed part
-- is 1 segment) may stand for: fct_mt.segments_max less segments, for a text the log wrote
-- lossily (a probe: 152 'y', a '€' and 152 'y', logged with the euro as dots, read as 2
-- segments where Kannel sent 3). NULL segments_max (no text to bound it): none known beyond
-- segments. The bill counts segments; its upper bound counts these too.
with subscriptions as (
    select cast($subscribed_codes as varchar[]) as codes,
           cast($subscribed_since as date[]) as since,
           cast($subscribed_until as date[]) as until
),

lines as (
    select
        m.submitted_at,
        m.short_code,
        m.brand,
        m.segments,
        m.segments_exact,
        m.segments_max,
        m.final_status,
        m.partly_sent,
        coalesce(p.part1_delivered, false) as part1_delivered,
        coalesce(p.part1_failed, false) as part1_failed,
        coalesce(m.submitted_at < timezone($tz, cast(s.since[list_position(s.codes, m.short_code)] as timestamp))
                 or m.submitted_at >= timezone($tz, cast(s.until[list_position(s.codes, m.short_code)] as timestamp)
                                                    + interval 1 day), false) as outside
    from fct_mt as m
    cross join subscriptions as s
    left join (
        select
            mt_id,
            bool_or(status > 0 and status & 1 = 1) as part1_delivered,
            bool_or(status > 0 and status & 2 = 2) as part1_failed
        from fct_dlr
        where source = 'receipt' and not unmatched
        group by mt_id
    ) as p on m.partly_sent and p.mt_id = m.mt_id
    where (m.outcome = 'accepted' or m.partly_sent)
      and ($short_code is null or m.short_code = $short_code)
      and ($date_from is null or m.submitted_at >= timezone($tz, cast($date_from as timestamp)))
      and ($date_to is null or m.submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
),

billed as (
    select
        *,
        case
            when partly_sent then part1_delivered::integer
            when final_status = 'delivered' then segments
            else 0
        end as delivered,
        case
            when partly_sent then least(segments - part1_delivered::integer, 1 + part1_failed::integer)
            when final_status in ('failed', 'expired', 'rejected') then segments
            else 0
        end as undelivered,
        case
            when partly_sent or final_status in ('failed', 'expired', 'rejected') then 0
            else coalesce(segments_max - segments, 0)
        end as possibly_more
    from lines
)

select
    cast(date_trunc('month', submitted_at at time zone $tz) as date) as month,
    short_code,
    brand,
    count(*) as accepted_lines,
    -- (bigint: a sum is HUGEINT, which pandas reads as a float)
    cast(coalesce(sum(segments), 0) as bigint) as accepted_segments,
    count(*) filter (where delivered > 0) as delivered_lines,
    cast(coalesce(sum(delivered), 0) as bigint) as delivered_segments,
    -- delivered segments counted from a text the log wrote lossily (an accented GSM
    -- letter logged as '.'), or from no text at all: the best reading, not a certainty
    cast(coalesce(sum(delivered) filter (where not segments_exact and not partly_sent), 0) as bigint)
        as delivered_segments_inexact,
    cast(coalesce(sum(delivered) filter (where outside), 0) as bigint) as delivered_outside,
    cast(coalesce(sum(undelivered), 0) as bigint) as undelivered_segments,
    cast(coalesce(sum(segments - delivered - undelivered), 0) as bigint) as unknown_segments,
    cast(coalesce(sum(possibly_more), 0) as bigint) as segments_possibly_more
from billed
group by all
order by month, short_code nulls last, brand nulls last
