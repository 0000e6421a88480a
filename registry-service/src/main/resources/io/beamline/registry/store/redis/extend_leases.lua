-- ARGV: 2 now (ms), 3 ttl (ms). After this replica could not reach Redis: no node could renew
-- while it was gone, so every live lease is given at least a full ttl from now before anything
-- judges it (a sweep or a renewal would otherwise find them all expired and declare every node
-- down at once). Returns how many leases were extended.
local deadline = tonumber(ARGV[2]) + tonumber(ARGV[3])
local extended = 0
for _, id in ipairs(redis.call('ZRANGEBYSCORE', K_LEASES, '-inf', '(' .. deadline)) do
  local r = loadNode(id)
  if r then
    r.expiresAt = tostring(deadline)
    redis.call('HSET', K_NODES, id, cjson.encode(r))
    redis.call('ZADD', K_LEASES, deadline, id)
    extended = extended + 1
  end
end
return {extended}
