-- The whole state and the sequence of the last change applied to it, read atomically.
return {redis.call('GET', K_SEQ) or '0', redis.call('HGETALL', K_NODES), redis.call('HGETALL', K_NAMES),
  redis.call('HGETALL', K_LOCATIONS)}
