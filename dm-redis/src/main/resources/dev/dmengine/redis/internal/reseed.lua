
-- After an outage: makes sure the topic's next id is above ARGV[2], the highest id the bus
-- delivered of it (see event-ids.lua), without publishing anything.
-- ARGV[1] epoch the bus knows ('' if none), ARGV[2] highest id seen, ARGV[3] counter expiry ms.
-- Returns the epoch.
local epoch = epoch_base(KEYS[3], ARGV[1])
local floor = tonumber(ARGV[2])
local current = redis.call('GET', KEYS[1])
if floor > 0 and (not current or tonumber(current) < floor) then
  local top = issued(KEYS[1], KEYS[2], epoch, floor)
  redis.call('SET', KEYS[1], string.format('%.0f', top), 'PX', ARGV[3])
end
return epoch
