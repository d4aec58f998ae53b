-- The median times of the requests received in [$period_start, $period_end) (口径 as kpi_requests.sql):
-- hours to the first answer, days to closing. A median needs every request, so this reads them all.
SELECT
    median(epoch(responded_at - received_at) / 3600) AS median_response_hours,
    median(epoch(resolved_at - received_at) / 86400) AS median_handling_days
FROM requests
WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
  AND received_at >= $period_start::DATE AND received_at < $period_end::DATE
