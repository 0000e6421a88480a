-- ARGV: 2 name, 3 id ('' = whatever it is bound to).
local holder = redis.call('HGET', K_NAMES, ARGV[2])
if not holder then
  if ARGV[3] == '' then return {'name_not_found'} end
  return {'ok'}
end
if ARGV[3] == '' or holder == ARGV[3] then
  redis.call('HDEL', K_NAMES, ARGV[2])
  emit({'type', 'name_unregistered', 'name', ARGV[2], 'id', holder})
end
return {'ok'}
