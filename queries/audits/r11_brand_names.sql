-- R11 CONTENT, step 2, run once per brand with that brand's names pattern
-- (opsanalytics.reference.content_patterns `brand_names`): whether the text or its sender
-- names the brand (brand_not_named), and the text with those names blanked out for the free
-- claim (a brand named `Free` claims nothing: `l'offre Free 5G`). One statement per brand
-- keeps the pattern a constant, compiled once: a pattern read from a column is compiled again
-- for every row (16 s of R11's 17 at 5 M messages).
update temp.audit_r11_texts
set claim_norm = regexp_replace(norm, $pattern, ' ', 'g'),
    brand_named = regexp_matches(norm, $pattern) or regexp_matches(sender, $pattern)
where brand = $brand
