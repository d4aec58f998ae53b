-- Which compounds in $compound_ids need an elevator most, on $as_at. Only compounds without an
-- elevator under way are ranked: one with an elevator item in design or later is left out.
-- The score (0-100) weighs
--   E: the elderly share of residents,
--   F: the floor factor, (floors - 3) / 4 kept within 0-1 (4 storeys and up need one; 7 and up count fully),
--   C: residents' consent: 1 when an elevator item is at 意愿征询/表决, 0.5 when only surveyed, 0 otherwise,
--   R: open stairs/elevator requests on $as_at, counting fully from request_cap on;
-- score = 100 * (w_elderly * E + w_floors * F + w_consent * C + w_requests * min(R / request_cap, 1)).
-- The weights are returned with every row so the page shows the formula it was computed with.
WITH w AS (
    SELECT 0.35 AS w_elderly, 0.25 AS w_floors, 0.25 AS w_consent, 0.15 AS w_requests, 3 AS request_cap
),
c AS (
    SELECT * FROM compounds WHERE compound_id IN (SELECT unnest(scope($compound_ids)))
),
lifts AS (
    SELECT
        compound_id,
        bool_or(stage NOT IN ('survey', 'consent')) AS under_way,
        max(CASE stage WHEN 'consent' THEN 1.0 WHEN 'survey' THEN 0.5 ELSE 0 END) AS consent
    FROM renovation_items
    WHERE compound_id IN (SELECT unnest(scope($compound_ids))) AND item_type = 'elevator'
    GROUP BY compound_id
),
open_requests AS (
    SELECT compound_id, count(*) AS open_stairs_requests
    FROM requests
    WHERE compound_id IN (SELECT unnest(scope($compound_ids)))
      AND category = 'stairs_elevator'
      AND received_at < $as_at::DATE + 1
      AND (resolved_at IS NULL OR resolved_at >= $as_at::DATE + 1)
    GROUP BY compound_id
),
parts AS (
    SELECT
        c.compound_id, c.name AS compound, m.name AS community, c.buildings, c.units, c.floors, c.elderly_share,
        least(greatest((c.floors - 3) / 4, 0), 1) AS floor_factor,
        coalesce(l.consent, 0) AS consent_factor,
        coalesce(o.open_stairs_requests, 0) AS open_stairs_requests
    FROM c
    JOIN communities m USING (community_id)
    LEFT JOIN lifts l USING (compound_id)
    LEFT JOIN open_requests o USING (compound_id)
    WHERE NOT coalesce(l.under_way, false)
),
scored AS (
    SELECT
        p.*,
        round(100 * (
            w.w_elderly * coalesce(p.elderly_share, 0)
            + w.w_floors * coalesce(p.floor_factor, 0)
            + w.w_consent * p.consent_factor
            + w.w_requests * least(p.open_stairs_requests / w.request_cap, 1)
        ), 1) AS score,
        w.w_elderly, w.w_floors, w.w_consent, w.w_requests, w.request_cap
    FROM parts p CROSS JOIN w
)
SELECT
    row_number() OVER (ORDER BY score DESC, compound_id) AS priority_rank,
    compound_id, compound, community, buildings, units, floors, elderly_share, consent_factor,
    open_stairs_requests, score, w_elderly, w_floors, w_consent, w_requests, request_cap
FROM scored
ORDER BY priority_rank
