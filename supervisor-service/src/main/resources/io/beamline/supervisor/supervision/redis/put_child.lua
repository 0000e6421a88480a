-- ARGV[3] id, [4] record (JSON), [5] supervisor id, [6] node id ('' for none), [7] 1 if restarting.
-- A replaced child keeps its order; a new one gets the next.
if not leads() then
  return not_leader()
end
local id, record, supervisor, node, restarting = ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local old = meta_of(id)
local order
if old then
  order = old.order
  if old.supervisor ~= supervisor then
    redis.call('ZREM', base .. 'of:' .. old.supervisor, id)
  end
  if old.node ~= node then
    unindex_node(id, old.node)
  end
else
  order = tostring(redis.call('INCR', base .. 'seq'))
end
redis.call('HSET', base .. 'children', id, record)
redis.call('HSET', base .. 'meta', id, order .. '|' .. node .. '|' .. supervisor)
redis.call('ZADD', base .. 'of:' .. supervisor, order, id)
if node ~= '' then
  redis.call('ZADD', base .. 'on:' .. node, order, id)
  redis.call('SADD', base .. 'nodes', node)
end
if restarting == '1' then
  redis.call('ZADD', base .. 'restarting', order, id)
else
  redis.call('ZREM', base .. 'restarting', id)
end
return 1
