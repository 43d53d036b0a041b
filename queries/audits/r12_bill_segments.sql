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
-- Every column adds up over the rows: delivered + undelivered + unknown = accepted.
select
    cast(date_trunc('month', submitted_at at time zone $tz) as date) as month,
    short_code,
    brand,
    count(*) as accepted_lines,
    -- (bigint: a sum is HUGEINT, which pandas reads as a float)
    cast(coalesce(sum(segments), 0) as bigint) as accepted_segments,
    count(*) filter (where final_status = 'delivered') as delivered_lines,
    cast(coalesce(sum(segments) filter (where final_status = 'delivered'), 0) as bigint) as delivered_segments,
    -- delivered segments counted from a text the log wrote lossily (an accented GSM
    -- letter logged as '.'), or from no text at all: the best reading, not a certainty
    cast(coalesce(sum(segments) filter (where final_status = 'delivered' and not segments_exact), 0) as bigint)
        as delivered_segments_inexact,
    cast(coalesce(sum(segments) filter (where final_status in ('failed', 'expired', 'rejected')), 0) as bigint)
        as undelivered_segments,
    cast(coalesce(sum(segments) filter (where final_status is null or final_status = 'pending'), 0) as bigint)
        as unknown_segments
from fct_mt
where outcome = 'accepted'
  and ($short_code is null or short_code = $short_code)
  and ($date_from is null or submitted_at >= timezone($tz, cast($date_from as timestamp)))
  and ($date_to is null or submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
group by all
order by month, short_code nulls last, brand nulls last
