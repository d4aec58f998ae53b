-- The points shop's rewards (shared by the whole street, so every reward is listed) with what
-- volunteers of the compounds in $compound_ids redeemed in [$period_start, $period_end).
-- With $threshold set, only rewards whose stock is below it (low stock), fewest first.
WITH d AS (
    SELECT reward_id, count(*) AS redemptions, sum(points_spent) AS points_spent
    FROM redemptions
    WHERE volunteer_id IN (
        SELECT volunteer_id FROM volunteers WHERE compound_id IN (SELECT unnest(scope($compound_ids)))
    )
      AND redeemed_on >= $period_start::DATE AND redeemed_on < $period_end::DATE
    GROUP BY reward_id
)
SELECT
    w.reward_id, w.name AS reward, w.points_cost, w.stock,
    coalesce(d.redemptions, 0) AS redemptions,
    coalesce(d.points_spent, 0) AS points_spent
FROM rewards w
LEFT JOIN d USING (reward_id)
WHERE $threshold::INTEGER IS NULL OR w.stock < $threshold::INTEGER
ORDER BY CASE WHEN $threshold::INTEGER IS NULL THEN w.points_cost END, w.stock, w.reward_id
