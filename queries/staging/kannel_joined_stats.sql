-- Kannel access log: how many events were read across lines (kannel_joined.sql), and the
-- lines they took.
SELECT count(*) FILTER (WHERE state = 'event') AS events,
       count(*) FILTER (WHERE state = 'marker') AS continued
FROM stg_kannel_joined
