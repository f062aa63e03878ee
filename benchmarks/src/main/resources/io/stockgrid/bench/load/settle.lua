-- Stockgrid's commit and release, as one atomic Redis script.
-- KEYS[1]: the reservation's hash; KEYS[2..]: its lines' stock hashes.
-- ARGV[1]: 'COMMITTED' or 'RELEASED'; ARGV[2..]: quantity per line.
-- Returns 1 done, 2 already done (a repeat), 0 not held (released, committed the other way, expired or
-- rejected), -2 unknown reservation. A held reservation at or past its expiry is expired here, as Stockgrid does.
local status = redis.call('HGET', KEYS[1], 'status')
if not status then
  return -2
end
if status == ARGV[1] then
  return 2
end
if status ~= 'HELD' then
  return 0
end
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local expired = nowMs >= tonumber(redis.call('HGET', KEYS[1], 'expiresAtMs'))
for i = 2, #KEYS do
  redis.call('HINCRBY', KEYS[i], 'reserved', -tonumber(ARGV[i]))
  if ARGV[1] == 'COMMITTED' and not expired then
    redis.call('HINCRBY', KEYS[i], 'onHand', -tonumber(ARGV[i]))
  end
end
if expired then
  redis.call('HSET', KEYS[1], 'status', 'EXPIRED')
  return 0
end
redis.call('HSET', KEYS[1], 'status', ARGV[1])
return 1
