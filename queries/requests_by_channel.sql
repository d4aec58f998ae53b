-- Requests received in [$period_start, $period_end) by channel, with their response rate (24 hours).
-- Whole months read rollup_requests_breakdown (rollups.py); any other period (the weekly report) the
-- requests themselves, the same counts; the parameters alone choose, so the other branch is never run.
WITH counted AS (
    SELECT channel, sum(requests) AS requests, sum(responded_24h) AS responded_24h
    FROM rollup_requests_breakdown
    WHERE $period_start::DATE = date_trunc('month', $period_start::DATE)
      AND $period_end::DATE = date_trunc('month', $period_end::DATE)
      AND compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
      AND month >= $period_start::DATE AND month < $period_end::DATE
      AND channel IS NOT NULL
    GROUP BY channel
    UNION ALL
    SELECT
        channel,
        count(*),
        count(*) FILTER (WHERE responded_at <= received_at + INTERVAL 24 HOUR)
    FROM requests
    WHERE NOT ($period_start::DATE = date_trunc('month', $period_start::DATE)
               AND $period_end::DATE = date_trunc('month', $period_end::DATE))
      AND compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
      AND received_at >= $period_start::DATE AND received_at < $period_end::DATE
    GROUP BY channel
)
SELECT
    channel,
    requests::BIGINT AS requests,
    responded_24h::BIGINT / requests::BIGINT AS response_rate
FROM counted
ORDER BY requests DESC, channel
