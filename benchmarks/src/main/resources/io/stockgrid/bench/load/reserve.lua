-- Stockgrid's reserve, as one atomic Redis script: all lines held or none, idempotent by reservation id.
-- KEYS[1]: the reservation's hash; KEYS[2..]: one stock hash per line (fields onHand, reserved).
-- ARGV[1]: ttl seconds; ARGV[2]: how long the id is remembered after expiry (ms); ARGV[3..]: quantity per line.
-- Returns 1 held, 0 rejected (short of stock), 2 replay of a held reservation, 3 replay of a rejected one,
-- -1 the id was used for a different request.
local lines = #KEYS - 1
local fingerprint = ARGV[1]
for i = 1, lines do
  fingerprint = fingerprint .. '|' .. KEYS[i + 1] .. '/' .. ARGV[i + 2]
end
local existing = redis.call('HMGET', KEYS[1], 'fingerprint', 'first')
if existing[1] then
  if existing[1] ~= fingerprint then
    return -1
  end
  if existing[2] == 'HELD' then
    return 2
  end
  return 3
end
local ttlMs = tonumber(ARGV[1]) * 1000
local retainMs = ttlMs + tonumber(ARGV[2])
for i = 1, lines do
  local stock = redis.call('HMGET', KEYS[i + 1], 'onHand', 'reserved')
  local available = tonumber(stock[1] or '0') - tonumber(stock[2] or '0')
  if available < tonumber(ARGV[i + 2]) then
    redis.call('HSET', KEYS[1], 'fingerprint', fingerprint, 'first', 'REJECTED', 'status', 'REJECTED')
    redis.call('PEXPIRE', KEYS[1], retainMs)
    return 0
  end
end
for i = 1, lines do
  redis.call('HINCRBY', KEYS[i + 1], 'reserved', ARGV[i + 2])
end
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('HSET', KEYS[1], 'fingerprint', fingerprint, 'first', 'HELD', 'status', 'HELD',
  'expiresAtMs', nowMs + ttlMs)
redis.call('PEXPIRE', KEYS[1], retainMs)
return 1
