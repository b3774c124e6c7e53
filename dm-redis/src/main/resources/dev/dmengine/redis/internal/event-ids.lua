-- Shared by publish and reseed (prepended to each): how a topic's next event id is chosen.
--
-- KEYS[1] the topic's id counter, KEYS[2] its stream, KEYS[3] the epoch marker of the key prefix.
-- The epoch marker holds the id base of topics that have no counter: '0' from the first use of
-- the prefix on, so a new topic's ids start at 1. When it is missing although the calling bus
-- has seen it before, Redis lost its data (a restart without persistence): the marker is made
-- again from the server clock in microseconds, so every id issued from then on is above every
-- id issued before (a topic would need a million events a second to catch up with the clock).
-- The same jump is taken for one topic whose counter is below the highest id the calling bus
-- has seen of it (Redis restored an older snapshot, or evicted the counter).

local function clock_base()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end

local function epoch_base(epoch_key, known)
  local e = redis.call('GET', epoch_key)
  if not e then
    if known == '' then
      e = '0'
    else
      e = string.format('%.0f', clock_base())
    end
    redis.call('SET', epoch_key, e)
  end
  return e
end

local function last_stream_id(stream)
  local last = redis.call('XREVRANGE', stream, '+', '-', 'COUNT', 1)
  if #last == 0 then
    return 0
  end
  return tonumber(string.match(last[1][1], '%-(%d+)$'))
end

-- the highest id already issued for the topic, as far as Redis and the caller know
local function issued(counter, stream, epoch, floor)
  local current = redis.call('GET', counter)
  local base
  if current then
    base = tonumber(current)
  else
    base = tonumber(epoch)
  end
  base = math.max(base, last_stream_id(stream))
  if base < floor then
    base = math.max(clock_base(), floor)
  end
  return base
end
