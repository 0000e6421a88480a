-- ARGV: 2 now (ms), 3 down retention (ms). Marks down every lease with expiresAt <= now and
-- drops nodes down for the retention or longer. Atomic, so replicas sweeping at the same time
-- mark each expiry down exactly once. Returns the node infos (JSON) it marked down.
local now = tonumber(ARGV[2])
local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', K_LEASES, '-inf', ARGV[2])) do
  local r = loadNode(id)
  if r then
    markDown(id, r, ARGV[2])
    out[#out + 1] = nodeInfo(id, r)
  else
    redis.call('ZREM', K_LEASES, id)
  end
end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', K_DOWN, '-inf', tostring(now - tonumber(ARGV[3])))) do
  redis.call('HDEL', K_NODES, id)
  redis.call('ZREM', K_DOWN, id)
end
return out
