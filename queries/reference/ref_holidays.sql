-- French public holidays from the `holidays` library (+ Alsace-Moselle days when set): R2.
CREATE OR REPLACE TABLE ref_holidays AS
SELECT day, name
FROM ref_holidays_input
ORDER BY day
