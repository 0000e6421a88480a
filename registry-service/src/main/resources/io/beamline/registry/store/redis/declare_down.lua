-- ARGV: 2 node id, 3 now (ms). Marks the node down now when its status is up (its process was
-- seen gone); a draining, down or unknown node is left alone. Returns {} or {node info JSON}.
local id = ARGV[2]
local r = loadNode(id)
if (not r) or r.status ~= 'up' then return {} end
markDown(id, r, ARGV[3])
return {nodeInfo(id, r)}
