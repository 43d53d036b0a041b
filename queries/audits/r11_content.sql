-- R11 CONTENT: keyword and pattern checks on the texts of the logical messages the platform
-- accepted, each hit a flag for review, with the text shown (RULES.md R11; docs/content.md).
-- M2M texts are left out: no person reads them. A text is judged once per (text, brand, category, sender, short code), then counted over
-- its messages. Its words are read as the MO keywords are: upper case, accents dropped,
-- anything but letters, digits, dots and `?` a space (a lossy log's `..` and `?` stand for an
-- accented letter: the patterns accept them, opsanalytics.reference.content_patterns). Flags:
--   adult               an adult word ($adult), in any text;
--   free_claim_priced   the service claimed free (`jeu gratuit`, `SMS gratuit`: $free_claim)
--                       in a text that names a price ($price): "service gratuit" only if
--                       everything promoted is free; the brand's own names are no claim;
--   brand_not_named     a marketing text that names neither its brand (or a name of it,
--                       `content.brand_names`) nor comes from a sender that does;
--   interpersonal_tone  a marketing text with an interpersonal word ($interpersonal);
--   cost_not_disclosed  a text (but interpersonal) calling to send an SMS with a
--                       keyword other than STOP/START ($reply: `Répondez OUI`, `tapez A`)
--                       that says nothing of what it costs ($cost, $price).
with messages as (
    select
        logical_id,
        first_accepted_mt_id,
        submitted_at,
        short_code,
        brand,
        category,
        oadc,
        text,
        -- (the ligatures spelt out, `Cœur` as `Coeur`: strip_accents keeps them)
        ' ' || trim(regexp_replace(upper(strip_accents(regexp_replace(regexp_replace(text, '[œŒ]', 'OE', 'g'),
                                                                      '[æÆ]', 'AE', 'g'))),
                                   '[^A-Z0-9.?]+', ' ', 'g')) || ' ' as norm,
        ' ' || trim(regexp_replace(upper(strip_accents(coalesce(oadc, ''))), '[^A-Z0-9.?]+', ' ', 'g')) || ' '
            as sender
    from fct_logical_messages
    where accepted and text is not null
      -- an M2M payload is read by no one (and binary, its dots would pass for letters)
      and category is distinct from 'm2m'
      and ($short_code is null or short_code = $short_code)
      and ($brand is null or brand = $brand)
      and ($date_from is null or submitted_at >= timezone($tz, cast($date_from as timestamp)))
      and ($date_to is null or submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
),

texts as (
    select
        text, norm, brand, category, oadc, sender, short_code,
        count(*) as messages,
        min(submitted_at) as first_at,
        max(submitted_at) as last_at,
        arg_min(first_accepted_mt_id, (submitted_at, logical_id)) as example_mt_id
    from messages
    group by all
),

brand_names as (
    select unnest($brand_names, recursive := true)
),

-- the text with its brand's names blanked out, for the free claim: a brand named `Free` claims
-- nothing (`l'offre Free 5G`)
claims as (
    select
        t.*,
        coalesce((select regexp_replace(t.norm, b.pattern, ' ', 'g') from brand_names as b where b.brand = t.brand),
                 t.norm) as claim_norm
    from texts as t
),

judged as (
    select
        t.*,
        regexp_matches(norm, $adult) as adult,
        category is distinct from 'interpersonal' and regexp_matches(claim_norm, $free_claim)
            and regexp_matches(upper(text), $price) as free_claim_priced,
        category = 'marketing' and brand is not null
            and not exists (select 1 from brand_names as b
                            where b.brand = t.brand
                              and (regexp_matches(t.norm, b.pattern) or regexp_matches(t.sender, b.pattern)))
            as brand_not_named,
        category = 'marketing' and regexp_matches(norm, $interpersonal) as interpersonal_tone,
        category is distinct from 'interpersonal'
            -- the word after the call, its punctuation off (`Répondez STOP.`): neither the
            -- contract's STOP/START keywords nor a word that asks for nothing ($not_keyword)
            and len(list_filter(list_transform(regexp_extract_all(norm, $reply, 2), lambda w: rtrim(w, '.?')),
                                lambda w: w <> '' and not regexp_matches(w, $opt_keyword)
                                          and not regexp_matches(w, $not_keyword))) > 0
            and not regexp_matches(norm, $cost) and not regexp_matches(upper(text), $price) as cost_not_disclosed
    from claims as t
)

select
    j.short_code,
    j.brand,
    j.category,
    j.oadc,
    list_filter(['adult', 'free_claim_priced', 'brand_not_named', 'interpersonal_tone', 'cost_not_disclosed'],
                lambda r, i: [adult, free_claim_priced, brand_not_named, interpersonal_tone, cost_not_disclosed][i])
        as reasons,
    concat_ws(' | ',
        -- group 1 of each pattern, the words without their edges (`..ROTIQUES`, `é` lossy, kept)
        case when adult then regexp_extract(norm, $adult, 1) end,
        case when free_claim_priced then rtrim(regexp_extract(claim_norm, $free_claim, 1), ' .?') end,
        case when interpersonal_tone then regexp_extract(norm, $interpersonal, 1) end,
        case when cost_not_disclosed then rtrim(regexp_extract(norm, $reply, 1), ' .?') end) as hits,
    j.text,
    j.messages,
    j.first_at,
    j.last_at,
    m.load_id as example_load_id,
    m.line_no as example_line_no
from judged as j
left join fct_mt as m on m.mt_id = j.example_mt_id
where adult or free_claim_priced or brand_not_named or interpersonal_tone or cost_not_disclosed
order by j.messages desc, j.first_at, j.text
