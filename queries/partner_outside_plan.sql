-- Partner work outside the renovation plan in the compounds of $compound_ids, from the start up to
-- $as_of whatever the period (累计): for each partner unit and kind of item, the buildings (栋) and
-- units (单元) its items touched, the compounds, and what it saved residents.
SELECT
    u.name AS unit,
    i.item_type,
    count(DISTINCT i.item_id) AS items,
    count(DISTINCT i.compound_id) AS compounds,
    sum(coalesce(i.buildings_affected, 1))::BIGINT AS buildings,
    coalesce(sum(i.units_affected), 0)::BIGINT AS units,
    sum(k.value_yuan) AS value_yuan,
    min(k.contributed_on) AS first_on,
    max(k.contributed_on) AS last_on
FROM contributions k
JOIN renovation_items i USING (item_id)
JOIN partner_units u USING (unit_id)
WHERE k.compound_id IN (SELECT unnest(scope($compound_ids)))
  AND NOT i.in_plan AND k.contributed_on <= $as_of::DATE
GROUP BY ALL
ORDER BY value_yuan DESC, unit
