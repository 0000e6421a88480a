-- ARGV: 2 name, 3 id. Binds a free name; the same binding again is a no-op; else the holder.
local holder = redis.call('HGET', K_NAMES, ARGV[2])
if not holder then
  redis.call('HSET', K_NAMES, ARGV[2], ARGV[3])
  emit({'type', 'name_registered', 'name', ARGV[2], 'id', ARGV[3]})
  return {'ok'}
end
if holder == ARGV[3] then return {'ok'} end
return {'name_taken', holder}
