-- Shared by every registry script (prepended to each). All scripts take the same KEYS, so
-- each call names every key it may touch, and ARGV[1] = the stream's approximate bound.
-- Node record (a JSON object in the nodes hash, every value a string): address, status,
-- processes, mailboxTotal, startedAt (ISO-8601), expiresAt (epoch ms), downSince (epoch ms,
-- once down), order (first-seen counter, for listing nodes in the order they appeared).
local K_NODES, K_LEASES, K_DOWN, K_NAMES = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local K_LOCATIONS, K_SEQ, K_CHANGES, K_ORDER = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local K_EPOCH = KEYS[9]
local MAXLEN = ARGV[1]

-- One change: the next sequence number, appended to the stream with that number as its id,
-- so the stream's order is the apply order and a reader resumes from "<last seq>-0".
local function emit(fields)
  local seq = redis.call('INCR', K_SEQ)
  local args = {'XADD', K_CHANGES, 'MAXLEN', '~', MAXLEN, seq .. '-0', 'seq', tostring(seq)}
  for i = 1, #fields do args[#args + 1] = fields[i] end
  redis.call(unpack(args))
  return seq
end

local function nodeInfo(id, r)
  return cjson.encode({id = id, address = r.address, status = r.status, processes = r.processes,
    mailboxTotal = r.mailboxTotal, startedAt = r.startedAt})
end

local function nodeEvent(status)
  if status == 'draining' then return 'node_draining' end
  if status == 'down' then return 'node_down' end
  return 'node_up'
end

local function loadNode(id)
  local raw = redis.call('HGET', K_NODES, id)
  if raw then return cjson.decode(raw) end
  return nil
end

local function markDown(id, r, now)
  r.status = 'down'
  r.downSince = now
  redis.call('HSET', K_NODES, id, cjson.encode(r))
  redis.call('ZREM', K_LEASES, id)
  redis.call('ZADD', K_DOWN, now, id)
  emit({'type', 'node_down', 'node', nodeInfo(id, r)})
  return r
end

-- ARGV for register/renew: 2 id, 3 address, 4 status, 5 processes, 6 mailboxTotal,
-- 7 startedAt ('' = keep the recorded one, else now), 8 now (ms), 9 now (ISO), 10 ttl (ms)
local function refresh(id, prev)
  local startedAt = ARGV[7]
  if startedAt == '' then
    if prev then startedAt = prev.startedAt else startedAt = ARGV[9] end
  end
  local order
  if prev then order = prev.order else order = tostring(redis.call('INCR', K_ORDER)) end
  local r = {address = ARGV[3], status = ARGV[4], processes = ARGV[5], mailboxTotal = ARGV[6],
    startedAt = startedAt, expiresAt = tostring(tonumber(ARGV[8]) + tonumber(ARGV[10])), order = order}
  redis.call('HSET', K_NODES, id, cjson.encode(r))
  redis.call('ZADD', K_LEASES, r.expiresAt, id)
  redis.call('ZREM', K_DOWN, id)
  if (not prev) or prev.status ~= r.status or prev.address ~= r.address then
    emit({'type', nodeEvent(r.status), 'node', nodeInfo(id, r)})
  end
end
