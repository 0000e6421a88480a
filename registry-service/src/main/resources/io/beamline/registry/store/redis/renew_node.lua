-- Extends a live lease; an unknown, down or expired one answers why (expired: marked down now).
local id, now = ARGV[2], tonumber(ARGV[8])
local prev = loadNode(id)
if not prev then return {'not_registered'} end
if prev.status == 'down' then return {'down'} end
if now >= tonumber(prev.expiresAt) then
  markDown(id, prev, ARGV[8])
  return {'expired', prev.expiresAt}
end
refresh(id, prev)
return {'ok'}
