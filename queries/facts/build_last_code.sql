-- The code that made the last facts rebuild (facts.code_fingerprint; NULL: a rebuild made
-- before it was recorded, or none).
SELECT (SELECT code_fingerprint FROM facts_builds ORDER BY built_at DESC, rowid DESC LIMIT 1) AS code_fingerprint
