-- Snapshot: the rewards catalogue, whole (it belongs to no compound).
SELECT * FROM rewards ORDER BY reward_id
