-- Shared by every supervision script. ARGV[1] is the key base (<prefix>supervision:), ARGV[2]
-- the caller's lease value; the script-specific arguments follow from ARGV[3]. Keys are built
-- from the base, so a standalone Redis (or one endpoint) is required, not Redis Cluster.
local base = ARGV[1]
local owner = ARGV[2]

-- Whether the caller holds the supervisor lease right now: every write checks it in the same
-- atomic step, so a deposed leader (paused past its lease) can never write.
local function leads()
  return redis.call('GET', base .. 'leader') == owner
end

local function not_leader()
  return redis.error_reply('NOT_LEADER this replica does not hold the supervisor lease')
end

-- Meta of a child: "order|node|supervisor" (ids never contain '|').
local function meta_of(id)
  local meta = redis.call('HGET', base .. 'meta', id)
  if not meta then
    return nil
  end
  local order, node, supervisor = string.match(meta, '^([^|]*)|([^|]*)|(.*)$')
  return { order = order, node = node, supervisor = supervisor }
end

local function unindex_node(id, node)
  if node ~= '' then
    local on = base .. 'on:' .. node
    redis.call('ZREM', on, id)
    if redis.call('EXISTS', on) == 0 then
      redis.call('SREM', base .. 'nodes', node)
    end
  end
end

-- The child records of the ids in zset `index`, in score order, read 500 at a time (unpack limit).
local function records(index)
  local ids = redis.call('ZRANGE', index, 0, -1)
  local out = {}
  for i = 1, #ids, 500 do
    local chunk = {}
    for j = i, math.min(i + 499, #ids) do
      chunk[#chunk + 1] = ids[j]
    end
    local values = redis.call('HMGET', base .. 'children', unpack(chunk))
    for k = 1, #values do
      if values[k] then
        out[#out + 1] = values[k]
      end
    end
  end
  return out
end
