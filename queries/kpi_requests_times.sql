-- The median times of the requests received in [$period_start, $period_end) (口径 as kpi_requests.sql):
-- hours to the first answer, days to closing. A median needs every request: DuckDB's median() reads them
-- all (the second branch below). For whole months of the whole street (the pages' default, the monthly
-- report) the first branch finds the same middle values in rollup_request_times: the counts by bucket name
-- the bucket holding the middle, and only its times are sorted. It gives what median() gives, to the bit:
-- the middle time, or for an even count the two middle times lo and hi as lo * 0.5 + hi * 0.5 (DuckDB's
-- interpolation of a DOUBLE, lo * (1 - d) + hi * d, with d = 0.5).
-- Any other scope or period reads the requests; the data alone chooses, and the other branch reads nothing.
WITH scope AS (
    SELECT compound_id FROM compounds WHERE compound_id IN (SELECT unnest(scope($compound_ids)))
),
rolled AS (
    SELECT $period_start::DATE = date_trunc('month', $period_start::DATE)
        AND $period_end::DATE = date_trunc('month', $period_end::DATE)
        AND (SELECT count(*) FROM scope) = (SELECT count(*) FROM compounds) AS whole_street
),
histogram AS (
    SELECT measure, bucket, sum(requests)::BIGINT AS requests
    FROM rollup_request_times
    WHERE month >= $period_start::DATE AND month < $period_end::DATE AND (SELECT whole_street FROM rolled)
    GROUP BY ALL
),
cumulative AS (
    SELECT
        measure,
        bucket,
        sum(requests) OVER w - requests AS before,
        sum(requests) OVER w AS up_to,
        sum(requests) OVER (PARTITION BY measure) AS total
    FROM histogram
    WINDOW w AS (PARTITION BY measure ORDER BY bucket)
),
-- The bucket(s) holding the middle ranks (counted from 0): (total - 1) // 2 and total // 2.
middle AS (
    SELECT measure, bucket, before, (total - 1) // 2 AS lo_rank, total // 2 AS hi_rank
    FROM cumulative
    WHERE up_to > (total - 1) // 2 AND before <= total // 2
),
-- Their times in the period, in order: the rank r of the street is the time at r - before + 1.
sorted AS (
    SELECT measure, bucket, list_sort(flatten(list(t.times))) AS times
    FROM rollup_request_times t
    JOIN middle m USING (measure, bucket)
    WHERE t.month >= $period_start::DATE AND t.month < $period_end::DATE
    GROUP BY measure, bucket
),
medians AS (
    SELECT
        measure,
        max(s.times[(m.lo_rank - m.before + 1)::BIGINT]) FILTER (WHERE m.lo_rank < m.before + len(s.times)) * 0.5
            + max(s.times[(m.hi_rank - m.before + 1)::BIGINT]) FILTER (WHERE m.hi_rank >= m.before) * 0.5 AS median
    FROM middle m
    JOIN sorted s USING (measure, bucket)
    GROUP BY measure
),
fast AS (
    SELECT
        (SELECT median FROM medians WHERE measure = 'response') AS median_response_hours,
        (SELECT median FROM medians WHERE measure = 'handling') AS median_handling_days
    FROM rolled
    WHERE whole_street
),
slow AS (
    SELECT
        median(epoch(responded_at - received_at) / 3600) AS median_response_hours,
        median(epoch(resolved_at - received_at) / 86400) AS median_handling_days
    FROM requests
    WHERE compound_id IN (SELECT compound_id FROM scope WHERE NOT (SELECT whole_street FROM rolled))
      AND received_at >= $period_start::DATE AND received_at < $period_end::DATE
    -- The one row an aggregate of no rows still gives, only where the roll-up branch gives none.
    HAVING NOT (SELECT whole_street FROM rolled)
)
SELECT * FROM fast
UNION ALL
SELECT * FROM slow
