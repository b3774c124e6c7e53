package dev.dmengine.remote;

import dev.dmengine.spi.RateLimitedException;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.generation.CancellationSignal;
import dev.dmengine.testkit.MutableClock;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RemoteEndpointTest {

    /** The smallest adapter builder: only the shared settings. */
    static final class TestBuilder extends HttpModelBuilder<TestBuilder> {
        TestBuilder() {
            super("https://api.example.com/v1");
        }

        @Override
        protected TestBuilder self() {
            return this;
        }

        RemoteEndpoint build() {
            return endpoint(Provider.named("test server", "API key"), null);
        }

        RemoteEndpoint buildRequiringKey() {
            return endpoint(Provider.named("test server", "API key"), "apiKey must be set");
        }
    }

    private static final long FAR = System.nanoTime() + Duration.ofMinutes(10).toNanos();

    private static TestBuilder fast() {
        return new TestBuilder().initialBackoff(Duration.ofMillis(1)).maxBackoff(Duration.ofMillis(5));
    }

    @Test
    void retriable_failures_are_retried_until_an_attempt_succeeds() {
        RemoteEndpoint e = fast().maxRetries(3).build();
        List<Integer> attempts = new CopyOnWriteArrayList<>();

        String result = e.call("test", n -> {
            attempts.add(n);
            if (n < 3) {
                throw AttemptFailure.retriable(new UnavailableException("down"));
            }
            return "ok";
        }, FAR, null);

        assertThat(result).isEqualTo("ok");
        assertThat(attempts).containsExactly(1, 2, 3);
    }

    @Test
    void the_last_failure_is_thrown_when_the_retries_run_out() {
        RemoteEndpoint e = fast().maxRetries(2).build();
        AtomicInteger calls = new AtomicInteger();

        assertThatThrownBy(() -> e.call("test", n -> {
            calls.incrementAndGet();
            throw AttemptFailure.retriable(new UnavailableException("down " + n));
        }, FAR, null)).isInstanceOf(UnavailableException.class).hasMessage("down 3");
        assertThat(calls.get()).isEqualTo(3);
    }

    @Test
    void a_fatal_failure_is_thrown_at_once() {
        RemoteEndpoint e = fast().maxRetries(5).build();
        AtomicInteger calls = new AtomicInteger();

        assertThatThrownBy(() -> e.call("test", n -> {
            calls.incrementAndGet();
            throw AttemptFailure.fatal(new UnavailableException("malformed"));
        }, FAR, null)).hasMessage("malformed");
        assertThat(calls.get()).isOne();
    }

    @Test
    void a_server_wait_beyond_max_retry_after_is_reported_at_once_with_the_wait() {
        RemoteEndpoint e = fast().maxRetryAfter(Duration.ofSeconds(5)).build();
        AtomicInteger calls = new AtomicInteger();

        assertThatThrownBy(() -> e.call("test", n -> {
            calls.incrementAndGet();
            throw AttemptFailure.of(new RateLimitedException("slow down", Duration.ofSeconds(90)), true, false,
                    Duration.ofSeconds(90));
        }, FAR, null)).isInstanceOfSatisfying(RateLimitedException.class,
                r -> assertThat(r.retryAfter()).isEqualTo(Duration.ofSeconds(90)));
        assertThat(calls.get()).isOne();
    }

    @Test
    void a_cancel_ends_the_wait_before_a_retry_at_once() {
        RemoteEndpoint e = new TestBuilder().maxRetries(1).build();
        CancellationSignal signal = new CancellationSignal();
        long start = System.nanoTime();

        assertThatThrownBy(() -> e.call("test", n -> {
            signal.cancel(); // as if the player left while the call waited to retry
            throw AttemptFailure.of(new UnavailableException("busy"), true, false, Duration.ofSeconds(50));
        }, FAR, signal)).isInstanceOf(CancellationException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(40));
    }

    @Test
    void provider_faults_open_the_breaker_neutral_failures_do_not() {
        MutableClock clock = new MutableClock();
        RemoteEndpoint e = fast().maxRetries(0).circuitBreakerThreshold(2).circuitBreakerCoolDown(Duration.ofSeconds(30))
                .clock(clock).build();
        Attempt<String> neutral = n -> {
            throw AttemptFailure.of(new RateLimitedException("429", Duration.ofSeconds(1)), false, false, null);
        };
        Attempt<String> fault = n -> {
            throw AttemptFailure.retriable(new UnavailableException("500"));
        };

        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> e.call("test", neutral, FAR, null)).hasMessage("429");
        }
        assertThatThrownBy(() -> e.call("test", fault, FAR, null)).hasMessage("500");
        assertThatThrownBy(() -> e.call("test", fault, FAR, null)).hasMessage("500");
        assertThatThrownBy(() -> e.call("test", n -> "never", FAR, null)).hasMessageContaining("circuit open");
        String lookup = e.callUnguarded("lookup", n -> "lookups still go out", FAR);
        assertThat(lookup).isEqualTo("lookups still go out");

        clock.advance(Duration.ofSeconds(31));
        String trial = e.call("test", n -> "trial", FAR, null);
        assertThat(trial).isEqualTo("trial");
    }

    @Test
    void the_key_goes_only_to_urls_of_the_apis_own_site() {
        URI api = URI.create("https://api.replicate.com/v1/");

        assertThat(RemoteEndpoint.sameSite(api, URI.create("https://streaming.api.replicate.com/v1/predictions/x"))).isTrue();
        assertThat(RemoteEndpoint.sameSite(api, URI.create("https://api.replicate.com/v1/predictions/x"))).isTrue();
        assertThat(RemoteEndpoint.sameSite(api, URI.create("https://evil.example.com/replicate.com"))).isFalse();
        assertThat(RemoteEndpoint.sameSite(api, URI.create("https://notreplicate.com/x"))).isFalse();
        assertThat(RemoteEndpoint.sameSite(URI.create("http://127.0.0.1:8080/v1/"), URI.create("http://10.0.0.1/x")))
                .isFalse();
        assertThat(new TestBuilder().apiKey("sk-x").build().request(URI.create("https://other.example.org/x"),
                Duration.ofSeconds(1)).build().headers().firstValue("Authorization")).isEmpty();
        assertThat(new TestBuilder().apiKey("sk-x").build().request(URI.create("https://api.example.com/v1/chat"),
                Duration.ofSeconds(1)).build().headers().firstValue("Authorization")).contains("Bearer sk-x");
    }

    @Test
    void settings_are_checked_and_name_what_is_wrong() {
        assertThatThrownBy(() -> new TestBuilder().baseUrl("ftp://x").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("baseUrl");
        assertThatThrownBy(() -> new TestBuilder().baseUrl(" ").build()).hasMessageContaining("baseUrl must be set");
        assertThatThrownBy(() -> new TestBuilder().maxRetries(-1).build()).hasMessageContaining("maxRetries");
        assertThatThrownBy(() -> new TestBuilder().connectTimeout(Duration.ZERO).build())
                .hasMessageContaining("connectTimeout");
        assertThatThrownBy(() -> new TestBuilder().circuitBreakerThreshold(0).build())
                .hasMessageContaining("threshold");
        assertThatThrownBy(() -> new TestBuilder().buildRequiringKey()).hasMessage("apiKey must be set");
        assertThatThrownBy(() -> new TestBuilder().apiKeyFromEnvironment("DM_TEST_SURELY_UNSET_VARIABLE")
                .buildRequiringKey()).hasMessageContaining("DM_TEST_SURELY_UNSET_VARIABLE environment variable");
    }

    @Test
    void to_string_never_shows_the_key() {
        String key = "sk-very-secret-key-000111222";

        assertThat(new TestBuilder().apiKey(key).toString()).doesNotContain(key).contains("[redacted]");
        assertThat(new TestBuilder().apiKey(key).build().toString()).doesNotContain(key).contains("[redacted]");
    }
}
