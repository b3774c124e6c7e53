/**
 * Hot reads: the session, the character and the recent messages every turn reads, kept in the
 * {@link dev.dmengine.spi.infra.Cache} port (Redis across server instances) and updated by the
 * writes themselves — {@link dev.dmengine.core.cache.HotReads} is the way in and explains how
 * a cached value is never stale after a committed write.
 */
package dev.dmengine.core.cache;
