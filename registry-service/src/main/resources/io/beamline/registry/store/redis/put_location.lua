-- ARGV: 2 process id, 3 node, 4 incarnation. Compare-and-set on the incarnation; a location is
-- stored as "<incarnation>|<node>".
local raw = redis.call('HGET', K_LOCATIONS, ARGV[2])
local value = ARGV[4] .. '|' .. ARGV[3]
if raw then
  local sep = string.find(raw, '|', 1, true)
  local incarnation = string.sub(raw, 1, sep - 1)
  if tonumber(ARGV[4]) < tonumber(incarnation) then
    return {'stale_incarnation', incarnation, string.sub(raw, sep + 1)}
  end
  if raw == value then return {'ok'} end
end
redis.call('HSET', K_LOCATIONS, ARGV[2], value)
emit({'type', 'location_changed', 'id', ARGV[2], 'node', ARGV[3], 'incarnation', ARGV[4]})
return {'ok'}
