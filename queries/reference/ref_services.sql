-- Gateway services (Kannel SVC) -> brand and category (R1-R4, R6).
CREATE OR REPLACE TABLE ref_services AS
SELECT name, brand, category, stop_notice_exempt
FROM ref_services_input
