-- The earliest month any monthly or event data of the compounds in $compound_ids describes, and the
-- earliest plan batch among them (累计 counts from it).
SELECT
    least(
        (SELECT min(month) FROM red_property_monthly WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))),
        (SELECT min(received_at)::DATE FROM requests WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))),
        $as_of::DATE
    ) AS first_day,
    (SELECT strptime(min(plan_batch) || '-01', '%Y-%m-%d')::DATE FROM compounds
      WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[])) AND in_renovation_plan) AS first_plan_batch
