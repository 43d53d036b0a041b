-- One facts rebuild done, in the same transaction as the tables it wrote.
INSERT INTO facts_builds (built_at, fingerprint, code_fingerprint, seconds)
VALUES (now(), $fingerprint, $code_fingerprint, $seconds)
