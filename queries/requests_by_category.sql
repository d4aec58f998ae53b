-- Requests received in [$period_start, $period_end) by category, with their closure rate (办结率):
-- counted by request_breakdown (queries/rollup_define_request_breakdown.sql), from the roll-ups for whole months.
SELECT category, requests, resolved / requests AS closure_rate
FROM request_breakdown($period_start, $period_end, scope($compound_ids), 'category')
ORDER BY requests DESC, category
