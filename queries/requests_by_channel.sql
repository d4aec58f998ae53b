-- Requests received in [$period_start, $period_end) by channel, with their response rate (24 hours):
-- counted by request_breakdown (queries/rollup_define_request_breakdown.sql), from the roll-ups for whole months.
SELECT channel, requests, responded_24h / requests AS response_rate
FROM request_breakdown($period_start, $period_end, scope($compound_ids), 'channel')
ORDER BY requests DESC, channel
