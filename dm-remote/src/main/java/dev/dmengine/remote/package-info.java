/**
 * The remote-call layer every model adapter stands on: one way to call a provider over HTTP,
 * with no engine types (it depends on dm-spi and the JDK only).
 *
 * <ul>
 *   <li>{@link dev.dmengine.remote.HttpModelBuilder} — the shared builder settings (base URL, API
 *       key, connect timeout, retries, circuit breaker, host-owned {@code HttpClient}), checked
 *       once, building a {@link dev.dmengine.remote.RemoteEndpoint};</li>
 *   <li>{@link dev.dmengine.remote.RemoteEndpoint#call} — the one retry loop, under the one
 *       {@link dev.dmengine.remote.RetryPolicy} and a {@link dev.dmengine.remote.CircuitBreaker};</li>
 *   <li>{@link dev.dmengine.remote.ExceptionMapper} — the one HTTP-status-to-exception mapping;</li>
 *   <li>{@link dev.dmengine.remote.RemoteLanguageModel} and {@link dev.dmengine.remote.BatchingEmbedder}
 *       — the port contracts kept once, around the provider's {@code doGenerate} and {@code embedBatch};</li>
 *   <li>{@link dev.dmengine.remote.SseReader} (WHATWG server-sent events),
 *       {@link dev.dmengine.remote.Deadline} (first-chunk and total deadlines, cancel) and
 *       {@link dev.dmengine.remote.Secrets} (credentials out of messages).</li>
 * </ul>
 *
 * <h2>Who retries: the adapter, once</h2>
 * Retries never multiply: the adapter owns every retry of a remote call, and nothing above it
 * repeats a generation or an embedding the adapter has given up on.
 * <ul>
 *   <li>The adapter retries transport failures, before any text reached the caller: a connection
 *       refused, reset or timed out; 408, 409, 429 and 5xx (or whatever {@code x-should-retry}
 *       says); a stream cut or failed before its first visible token. It waits what the server
 *       asks ({@code retry-after-ms}, {@code Retry-After}) up to {@code maxRetryAfter}, otherwise
 *       exponential backoff with jitter, for at most {@code maxRetries} retries and never past
 *       the call's deadline.</li>
 *   <li>It does not retry what a repeat would not cure or could duplicate: a stream that already
 *       showed text (the player saw it), a first-chunk or total timeout (the timeout is the
 *       budget), a malformed event, a refusal, 4xx other than 408/409/429, and — for Replicate —
 *       a create whose outcome is unknown and whose prediction cannot be found.</li>
 *   <li>What is left reaches the caller as a dm-spi exception: {@code RetriableException}s
 *       ({@code UnavailableException}, {@code RateLimitedException} with the server's wait) mean
 *       "a later, new request may succeed" — a player pressing "try again", a queued job run
 *       again — not "repeat this call now"; the engine reports them and does not loop on them.</li>
 * </ul>
 */
package dev.dmengine.remote;
