-- ARGV: 2 process id, 3 incarnation. Removes the record unless it holds a newer incarnation.
local raw = redis.call('HGET', K_LOCATIONS, ARGV[2])
if not raw then return {'ok'} end
local sep = string.find(raw, '|', 1, true)
local incarnation = string.sub(raw, 1, sep - 1)
if tonumber(incarnation) <= tonumber(ARGV[3]) then
  redis.call('HDEL', K_LOCATIONS, ARGV[2])
  emit({'type', 'location_removed', 'id', ARGV[2], 'node', string.sub(raw, sep + 1), 'incarnation', incarnation})
end
return {'ok'}
