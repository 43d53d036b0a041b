-- What the facts were built with (ref_settings, written by the last facts rebuild), for
-- `audit` to compare with the contract it is given; and what the command that rebuilds them
-- names: this warehouse's file (NULL in memory) and the last log loaded into it.
-- contract_values is NULL in facts built before it was recorded: then only the digest of the
-- contract's text can be compared.
SELECT
    (SELECT value FROM ref_settings WHERE key = 'contract_values') AS contract_values,
    (SELECT value FROM ref_settings WHERE key = 'config_digest') AS config_digest,
    (SELECT value FROM ref_settings WHERE key = 'config_source') AS config_source,
    (SELECT path FROM duckdb_databases() WHERE database_name = current_database()) AS db_path,
    (SELECT path FROM load_manifest WHERE state = 'loaded' ORDER BY load_id DESC LIMIT 1) AS loaded_log
