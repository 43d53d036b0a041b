-- R9: every (short code, month) some loaded version forecasts, whatever its made_on: a month
-- none covers is judged 'no_forecast'.
SELECT DISTINCT short_code, month
FROM forecasts
