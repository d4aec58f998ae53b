-- Requests received in [$period_start, $period_end) by channel, with their response rate (24 hours).
-- Whole months read rollup_requests_breakdown (rollups.py): its street rows when every compound is in scope,
-- else the compounds' rows; any other period (the weekly report) the requests themselves, the same counts.
-- The parameters and the scope alone choose, so the branches not taken read nothing.
WITH scope AS (
    SELECT compound_id FROM compounds WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
),
rolled AS (
    SELECT
        $period_start::DATE = date_trunc('month', $period_start::DATE)
            AND $period_end::DATE = date_trunc('month', $period_end::DATE) AS whole_months,
        (SELECT count(*) FROM scope) = (SELECT count(*) FROM compounds) AS whole_street
),
counted AS (
    SELECT channel, sum(requests) AS requests, sum(responded_24h) AS responded_24h
    FROM rollup_requests_breakdown
    WHERE compound_id IS NULL
      AND (SELECT whole_months AND whole_street FROM rolled)
      AND month >= $period_start::DATE AND month < $period_end::DATE
      AND channel IS NOT NULL
    GROUP BY channel
    UNION ALL
    SELECT channel, sum(requests), sum(responded_24h)
    FROM rollup_requests_breakdown
    WHERE compound_id IN (SELECT compound_id FROM scope WHERE (SELECT whole_months AND NOT whole_street FROM rolled))
      AND month >= $period_start::DATE AND month < $period_end::DATE
      AND channel IS NOT NULL
    GROUP BY channel
    UNION ALL
    SELECT channel, count(*), count(*) FILTER (WHERE responded_at <= received_at + INTERVAL 24 HOUR)
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
