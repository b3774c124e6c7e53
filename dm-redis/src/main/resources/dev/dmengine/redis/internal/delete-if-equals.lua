-- Deletes KEYS[1] only if it holds ARGV[1] (a lease released only by its owner). Returns 1 or 0.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
