-- Requests still open on $as_at (the same rule as open_backlog in kpi_requests.sql), by days waited.
-- Every band is listed, empty ones with 0, so the chart keeps its order.
-- Those received more than 30 days before $as_at and still open on it were open over 30 days, so they
-- are in rollup_requests_open (rollups.py), read instead of every request. The others, received in the
-- 31 days up to $as_at: on a month's last day or on $as_of (every page, the monthly report) counted in
-- rollup_requests_recent_open, which holds those days of the stored as_of; on any other day (the weekly
-- report), or for an as_of other than the stored one, read from the requests themselves.
WITH open_requests AS (
    SELECT age_days, requests AS open_requests
    FROM rollup_requests_recent_open
    WHERE ($as_at::DATE = last_day($as_at::DATE) OR $as_at::DATE = $as_of::DATE)
      AND $as_of::DATE = (SELECT max(value::DATE) FROM meta WHERE key = 'as_of')
      AND as_at = $as_at::DATE
      AND compound_id IN (SELECT unnest(scope($compound_ids)))
    UNION ALL
    SELECT date_diff('day', received_at::DATE, $as_at::DATE), 1
    FROM requests
    WHERE NOT (($as_at::DATE = last_day($as_at::DATE) OR $as_at::DATE = $as_of::DATE)
               AND $as_of::DATE = (SELECT max(value::DATE) FROM meta WHERE key = 'as_of'))
      AND compound_id IN (SELECT unnest(scope($compound_ids)))
      AND received_at >= $as_at::DATE - 30 AND received_at < $as_at::DATE + 1
      AND (resolved_at IS NULL OR resolved_at >= $as_at::DATE + 1)
    UNION ALL
    SELECT date_diff('day', r.received_at::DATE, $as_at::DATE), 1
    FROM rollup_requests_open r
    WHERE r.compound_id IN (SELECT unnest(scope($compound_ids)))
      AND r.received_at < $as_at::DATE - 30
      AND (r.resolved_at IS NULL OR r.resolved_at >= $as_at::DATE + 1)
),
by_age AS (
    SELECT age_days, sum(open_requests) AS open_requests FROM open_requests GROUP BY age_days
),
bands (band_order, age_band, min_days, max_days) AS (
    VALUES (1, 'd0_7', 0, 7), (2, 'd8_30', 8, 30), (3, 'd31_90', 31, 90), (4, 'd90_plus', 91, NULL)
)
SELECT
    b.age_band,
    coalesce(sum(o.open_requests), 0)::BIGINT AS open_requests,
    max(o.age_days) AS oldest_days
FROM bands b
LEFT JOIN by_age o ON o.age_days >= b.min_days AND (b.max_days IS NULL OR o.age_days <= b.max_days)
GROUP BY b.band_order, b.age_band
ORDER BY b.band_order
