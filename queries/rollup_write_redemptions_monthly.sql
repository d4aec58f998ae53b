-- rollup_redemptions_monthly from redemptions (see schema.sql), by the volunteer's compound.
INSERT INTO rollup_redemptions_monthly BY NAME
SELECT
    v.compound_id,
    date_trunc('month', d.redeemed_on)::DATE AS month,
    count(*) AS redemptions,
    sum(d.points_spent) AS points_spent,
    sum(d.points_spent) FILTER (WHERE d.redeemed_on <= (SELECT max(value::DATE) FROM meta WHERE key = 'as_of'))
        AS points_to_as_of
FROM redemptions d
JOIN volunteers v USING (volunteer_id)
GROUP BY ALL
ORDER BY compound_id, month
