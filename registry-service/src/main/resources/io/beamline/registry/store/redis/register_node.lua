-- Makes the node live whatever its state; a lease that ran out unswept is marked down first.
local id, now = ARGV[2], tonumber(ARGV[8])
local prev = loadNode(id)
if prev and prev.status ~= 'down' and now >= tonumber(prev.expiresAt) then
  prev = markDown(id, prev, ARGV[8])
end
refresh(id, prev)
return {'ok'}
