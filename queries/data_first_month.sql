-- The earliest month any monthly or event data of the compounds in $compound_ids describes (its first
-- day, or $as_of when there is none), and the earliest plan batch among them (累计 counts from it).
-- The requests' first month comes from the roll-up (rollups.py), which has a row for every month a
-- request was received: the same month as the requests' own, without reading them.
SELECT
    least(
        (SELECT min(month) FROM red_property_monthly WHERE compound_id IN (SELECT unnest(scope($compound_ids)))),
        (SELECT min(month) FROM rollup_requests_monthly
          WHERE compound_id IN (SELECT unnest(scope($compound_ids))) AND requests > 0),
        $as_of::DATE
    ) AS first_day,
    (SELECT strptime(min(plan_batch) || '-01', '%Y-%m-%d')::DATE FROM compounds
      WHERE compound_id IN (SELECT unnest(scope($compound_ids))) AND in_renovation_plan) AS first_plan_batch
