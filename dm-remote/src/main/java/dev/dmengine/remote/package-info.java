/**
 * Support for adapters that call remote model providers over HTTP: exponential backoff with
 * jitter ({@link dev.dmengine.remote.Backoff}), a consecutive-failure circuit breaker
 * ({@link dev.dmengine.remote.CircuitBreaker}), connect / first-token / total deadlines
 * ({@link dev.dmengine.remote.Deadline}), a server-sent-events line parser
 * ({@link dev.dmengine.remote.SseReader}) and credential scrubbing for error texts
 * ({@link dev.dmengine.remote.Secrets}). dm-openai and dm-replicate share them here
 * because adapters may not depend on each other.
 */
package dev.dmengine.remote;
