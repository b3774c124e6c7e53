
-- Appends one event to a topic's stream with the next id (see event-ids.lua), atomically.
-- ARGV[1] epoch the bus knows ('' if none), ARGV[2] highest id the bus has seen of the topic,
-- ARGV[3] stream MAXLEN (approximate), ARGV[4] stream expiry ms, ARGV[5] counter expiry ms,
-- ARGV[6] event name, ARGV[7] event data.
-- Returns {id, at (ms), epoch}; the id as text, it may exceed 2^31.
local epoch = epoch_base(KEYS[3], ARGV[1])
local id = issued(KEYS[1], KEYS[2], epoch, tonumber(ARGV[2])) + 1
local idText = string.format('%.0f', id)
local t = redis.call('TIME')
local at = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('SET', KEYS[1], idText, 'PX', ARGV[5])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '0-' .. idText, 'n', ARGV[6], 'd', ARGV[7], 't', string.format('%.0f', at))
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return {idText, string.format('%.0f', at), epoch}
