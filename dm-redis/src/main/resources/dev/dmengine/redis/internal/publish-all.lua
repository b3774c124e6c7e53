
-- Appends several events to a topic's stream with consecutive ids (see event-ids.lua), atomically:
-- no other publisher's event lands between them. Arguments as publish.lua's, then the events:
-- ARGV[1] epoch the bus knows ('' if none), ARGV[2] highest id the bus has seen of the topic,
-- ARGV[3] stream MAXLEN (approximate), ARGV[4] stream expiry ms, ARGV[5] counter expiry ms,
-- ARGV[6], ARGV[7] the first event's name and data, ARGV[8], ARGV[9] the second's, and so on.
-- Returns {first id, at (ms), epoch}; the ids are first id, first id + 1, ...; as text, they may exceed 2^31.
local epoch = epoch_base(KEYS[3], ARGV[1])
local first = issued(KEYS[1], KEYS[2], epoch, tonumber(ARGV[2])) + 1
local t = redis.call('TIME')
local at = string.format('%.0f', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
local id = first
for i = 6, #ARGV - 1, 2 do
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '0-' .. string.format('%.0f', id), 'n', ARGV[i], 'd', ARGV[i + 1], 't', at)
  id = id + 1
end
redis.call('SET', KEYS[1], string.format('%.0f', id - 1), 'PX', ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return {string.format('%.0f', first), at, epoch}
