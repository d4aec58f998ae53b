-- request_rates(period_start, period_end, compound_ids, per): the three rates (口径 as kpi_requests.sql)
-- and the closure rate of the requests received in [period_start, period_end) in the compounds, one row
-- per value of the column `per` names: 'compound_id', 'community_id', 'month' (received) or 'company_id'
-- (the property company serving the compound in the month received, from red_property_monthly; an empty
-- company_id gathers the requests no company served). Counts from request_counts.
-- A table macro, stored with the roll-ups by rollups.rebuild: one definition of the rates for every
-- query that ranks or charts them. `per` must name exactly one column of the joins below (so compounds
-- gives only community_id: its own company_id is today's company, not the month's). The company join
-- reads rows only when per is 'company_id'; otherwise its filter is constant false and DuckDB drops it.
CREATE OR REPLACE MACRO request_rates(period_start, period_end, compound_ids, per) AS TABLE
SELECT
    COLUMNS('^' || per || '$'),
    sum(n.requests)::BIGINT AS requests,
    sum(n.responded_24h) / sum(n.requests) AS response_rate,
    sum(n.resolved) / sum(n.requests) AS closure_rate,
    sum(n.followup_resolved) / nullif(sum(n.followup_answered), 0) AS resolution_rate,
    sum(n.satisfied) / nullif(sum(n.rated), 0) AS satisfaction_rate,
    sum(n.rated)::BIGINT AS rated,
    sum(n.unresolved)::BIGINT AS unresolved
FROM request_counts(period_start, period_end, compound_ids) n
JOIN (SELECT compound_id, community_id FROM compounds) c USING (compound_id)
LEFT JOIN (
    SELECT compound_id, month, company_id FROM red_property_monthly
    WHERE per = 'company_id' AND month >= date_trunc('month', period_start::DATE) AND month < period_end::DATE
) s USING (compound_id, month)
GROUP BY ALL
