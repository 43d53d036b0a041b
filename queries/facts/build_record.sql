-- One facts rebuild done, in the same transaction as the tables it wrote.
INSERT INTO facts_builds (built_at, fingerprint, seconds)
VALUES (now(), $fingerprint, $seconds)
