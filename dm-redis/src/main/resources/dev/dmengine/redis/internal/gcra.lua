-- GCRA (generic cell rate algorithm) on the server's clock, one key per limit key.
-- KEYS[1] the key holding the theoretical arrival time (TAT), in microseconds of Redis TIME.
-- ARGV[1] emission interval (µs), ARGV[2] burst.
-- A call is admitted when it arrives no earlier than TAT - (burst - 1) * interval; admitting it
-- moves the TAT one interval on. The key expires when the TAT passes: a key idle that long is
-- back at a full burst, the same as no key.
-- Returns {allowed 0/1, remaining, retry after µs as text}.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tolerance = interval * (tonumber(ARGV[2]) - 1)
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local start = math.max(tat, now)
local allowed_at = start - tolerance
if allowed_at > now then
  return {0, 0, string.format('%.0f', allowed_at - now)}
end
local next_tat = start + interval
local remaining = math.floor((now + tolerance + interval - next_tat) / interval)
redis.call('SET', KEYS[1], string.format('%.0f', next_tat), 'PX', math.max(1, math.ceil((next_tat - now) / 1000)))
return {1, remaining, '0'}
