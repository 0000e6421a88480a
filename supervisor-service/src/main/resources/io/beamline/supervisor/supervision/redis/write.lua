-- One fenced single-key write: ARGV[3] the command (HSET, HDEL, SADD, SREM), [4] the key suffix,
-- then its arguments.
if not leads() then
  return not_leader()
end
local command = ARGV[3]
if command ~= 'HSET' and command ~= 'HDEL' and command ~= 'SADD' and command ~= 'SREM' then
  return redis.error_reply('ERR unsupported supervision write ' .. command)
end
local args = {}
for i = 5, #ARGV do
  args[#args + 1] = ARGV[i]
end
return redis.call(command, base .. ARGV[4], unpack(args))
