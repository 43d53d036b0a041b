-- R11 CONTENT, last read: keyword and pattern checks on the texts of the logical messages the platform
-- accepted, each hit a flag for review, with the text shown (RULES.md R11; docs/content.md).
-- M2M texts are left out: no person reads them. A text is judged once per (text, brand, category,
-- sender, short code) of r11_texts.sql's table, then counted over its messages; the patterns
-- accept a lossy log's `..` and `?` for an accented letter (opsanalytics.reference.content_patterns).
-- Flags:
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
with judged as (
    select
        t.*,
        regexp_matches(norm, $adult) as adult,
        category is distinct from 'interpersonal' and regexp_matches(claim_norm, $free_claim)
            and regexp_matches(upper(text), $price) as free_claim_priced,
        category = 'marketing' and brand is not null and not brand_named as brand_not_named,
        category = 'marketing' and regexp_matches(norm, $interpersonal) as interpersonal_tone,
        category is distinct from 'interpersonal'
            -- the word after the call, its punctuation off (`Répondez STOP.`): neither the
            -- contract's STOP/START keywords nor a word that asks for nothing ($not_keyword)
            and len(list_filter(list_transform(regexp_extract_all(norm, $reply, 2), lambda w: rtrim(w, '.?')),
                                lambda w: w <> '' and not regexp_matches(w, $opt_keyword)
                                          and not regexp_matches(w, $not_keyword))) > 0
            and not regexp_matches(norm, $cost) and not regexp_matches(upper(text), $price) as cost_not_disclosed
    from temp.audit_r11_texts as t
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
    m.line_no as example_line_no,
    l.mt_ids as example_mt_ids
from judged as j
left join fct_mt as m on m.mt_id = j.example_mt_id
-- every line of the example's message: a part holds only its piece of the text
left join fct_logical_messages as l on l.logical_id = m.logical_id
where adult or free_claim_priced or brand_not_named or interpersonal_tone or cost_not_disclosed
order by j.messages desc, j.first_at, j.text
