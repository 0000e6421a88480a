-- ARGV[3] id. Returns 1 when a child was removed, 0 when none was recorded.
if not leads() then
  return not_leader()
end
local id = ARGV[3]
local old = meta_of(id)
if not old then
  return 0
end
redis.call('ZREM', base .. 'of:' .. old.supervisor, id)
unindex_node(id, old.node)
redis.call('ZREM', base .. 'restarting', id)
redis.call('HDEL', base .. 'children', id)
redis.call('HDEL', base .. 'meta', id)
return 1
