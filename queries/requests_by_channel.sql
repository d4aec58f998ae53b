-- Requests received in [$period_start, $period_end) by channel, with their response rate (24 hours).
SELECT
    channel,
    count(*) AS requests,
    count(*) FILTER (WHERE responded_at <= received_at + INTERVAL 24 HOUR) / count(*) AS response_rate
FROM requests
WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
  AND received_at >= $period_start::DATE AND received_at < $period_end::DATE
GROUP BY channel
ORDER BY requests DESC, channel
