-- The earliest month any monthly or event data of the compounds in $compound_ids describes.
SELECT least(
    (SELECT min(month) FROM red_property_monthly WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))),
    (SELECT min(received_at)::DATE FROM requests WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))),
    $as_of::DATE
) AS first_day
