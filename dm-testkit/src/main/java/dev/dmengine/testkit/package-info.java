/**
 * Contract suites for the ports of {@code dm-spi}: abstract JUnit 5 classes that every adapter
 * of a port extends, so that "this adapter behaves like the in-memory one" is a test.
 *
 * <p>Use: {@code class MyMessageStoreIT extends MessageStoreContract { protected MessageStore
 * newStore() { ... } }}. The factory is called before every test and must return an adapter
 * whose state no other test sees (a fresh instance, or a fresh schema / key prefix). Suites
 * whose behaviour depends on time hand the factory a {@link dev.dmengine.testkit.MutableClock};
 * an adapter that keeps time elsewhere (a server's clock) ignores it and overrides
 * {@code supportsInjectedClock()}, and the suite then lets short real durations pass and
 * polls with bounded waits ({@link dev.dmengine.testkit.Await}). Optional features are
 * capability methods ({@code supportsCancellation()}, {@code enforcesMaxBytes()}) that skip
 * the tests needing them. Suites use real threads for their concurrency cases
 * ({@link dev.dmengine.testkit.Concurrently}) and never mocks.
 *
 * <p>Every store suite also holds its adapter to the engine's text rule: text that is not
 * valid Unicode (an unpaired UTF-16 surrogate) or holds NUL is refused with an
 * {@code InvalidInputException} and nothing is stored, in every text field and in the strings
 * of JSON documents, raw or escaped ({@link dev.dmengine.testkit.InvalidText}).
 */
package dev.dmengine.testkit;
