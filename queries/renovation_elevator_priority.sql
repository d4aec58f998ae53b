-- Which compounds in $compound_ids need an elevator most, on $as_at. The score (0-100) weighs
--   E: the elderly share of residents,
--   N: the share of units (单元, stairwells: one elevator serves one) without an elevator done or under way
--      (elevator items in construction, acceptance or done cover their units_affected),
--   R: open stairs/elevator requests on $as_at, counting fully from request_cap on;
-- score = 100 * (w_elderly * E + w_units * N + w_requests * min(R / request_cap, 1)).
-- The weights are returned with every row so the page shows the formula it was computed with.
WITH w AS (
    SELECT 0.4 AS w_elderly, 0.4 AS w_units, 0.2 AS w_requests, 3 AS request_cap
),
c AS (
    SELECT * FROM compounds WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
),
lifts AS (
    SELECT
        compound_id,
        count(*) AS elevators,
        coalesce(sum(units_affected) FILTER (WHERE stage IN ('construction', 'acceptance', 'done')), 0)
            AS units_with_elevator
    FROM renovation_items
    WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[])) AND item_type = 'elevator'
    GROUP BY compound_id
),
open_requests AS (
    SELECT compound_id, count(*) AS open_stairs_requests
    FROM requests
    WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
      AND category = 'stairs_elevator'
      AND received_at < $as_at::DATE + 1
      AND (resolved_at IS NULL OR resolved_at >= $as_at::DATE + 1)
    GROUP BY compound_id
),
parts AS (
    SELECT
        c.compound_id, c.name AS compound, m.name AS community, c.buildings, c.units, c.elderly_share,
        coalesce(l.elevators, 0) AS elevators,
        greatest(c.units - coalesce(l.units_with_elevator, 0), 0) AS units_without_elevator,
        coalesce(o.open_stairs_requests, 0) AS open_stairs_requests
    FROM c
    JOIN communities m USING (community_id)
    LEFT JOIN lifts l USING (compound_id)
    LEFT JOIN open_requests o USING (compound_id)
),
scored AS (
    SELECT
        p.*,
        p.units_without_elevator / nullif(p.units, 0) AS no_elevator_share,
        round(100 * (
            w.w_elderly * coalesce(p.elderly_share, 0)
            + w.w_units * coalesce(p.units_without_elevator / nullif(p.units, 0), 0)
            + w.w_requests * least(p.open_stairs_requests / w.request_cap, 1)
        ), 1) AS score,
        w.w_elderly, w.w_units, w.w_requests, w.request_cap
    FROM parts p CROSS JOIN w
)
SELECT
    row_number() OVER (ORDER BY score DESC, compound_id) AS priority_rank,
    compound_id, compound, community, buildings, units, elderly_share, elevators, units_without_elevator,
    no_elevator_share, open_stairs_requests, score, w_elderly, w_units, w_requests, request_cap
FROM scored
ORDER BY priority_rank
