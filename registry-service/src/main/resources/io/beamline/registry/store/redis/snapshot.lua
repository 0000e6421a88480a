-- ARGV: 2 a fresh epoch id. The whole state, the sequence of the last change applied to it and
-- the state's epoch, read atomically. The epoch is set by the first snapshot of a state and lives
-- as long as that state: a Redis that came back empty has none (or a newer one), which tells a
-- replica that its sequence numbers mean nothing any more.
local epoch = redis.call('GET', K_EPOCH)
if not epoch then
  epoch = ARGV[2]
  redis.call('SET', K_EPOCH, epoch)
end
return {redis.call('GET', K_SEQ) or '0', redis.call('HGETALL', K_NODES), redis.call('HGETALL', K_NAMES),
  redis.call('HGETALL', K_LOCATIONS), epoch}
