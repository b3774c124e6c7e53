-- Sets KEYS[1] to expire in ARGV[2] ms only if it holds ARGV[1] (a lease renewed only by its
-- owner). Returns 1 or 0.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
