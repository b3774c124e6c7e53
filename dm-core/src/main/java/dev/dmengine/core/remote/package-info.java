/**
 * Support for adapters that call remote model providers over HTTP: exponential backoff with
 * jitter ({@link dev.dmengine.core.remote.Backoff}), a consecutive-failure circuit breaker
 * ({@link dev.dmengine.core.remote.CircuitBreaker}), connect / first-token / total deadlines
 * ({@link dev.dmengine.core.remote.Deadline}), a server-sent-events line parser
 * ({@link dev.dmengine.core.remote.SseReader}) and credential scrubbing for error texts
 * ({@link dev.dmengine.core.remote.Secrets}). dm-openai and dm-replicate share them here
 * because adapters may not depend on each other.
 */
package dev.dmengine.core.remote;
