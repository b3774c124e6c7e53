package dev.dmengine.server;

import dev.dmengine.auth.Registration;
import dev.dmengine.core.DmEngine;
import dev.dmengine.core.game.NewCharacter;
import dev.dmengine.core.turn.TurnEvent;
import dev.dmengine.core.turn.TurnListener;
import dev.dmengine.core.turn.TurnRequest;
import dev.dmengine.spi.generation.CancellationSignal;
import dev.dmengine.spi.infra.Event;
import dev.dmengine.spi.infra.EventBus;
import dev.dmengine.spi.infra.EventListener;
import dev.dmengine.spi.infra.RateLimit;
import dev.dmengine.spi.infra.RateLimitDecision;
import dev.dmengine.spi.infra.RateLimiter;
import dev.dmengine.spi.infra.Subscription;
import dev.dmengine.spi.retrieval.Embedder;
import dev.dmengine.spi.retrieval.EmbeddingSpace;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The benchmarks' port hook: the decorated ports are the ones the engine, the auth service and the streams use. */
class PortHookTest {

    @Test
    void decorated_ports_see_the_turn_the_login_and_every_published_event() {
        AtomicInteger embedded = new AtomicInteger();
        AtomicInteger limited = new AtomicInteger();
        AtomicInteger published = new AtomicInteger();
        DmServer server = new DmServer(ServerSettings.from(Config.just(ConfigSources.create(Map.of(
                "dm.server.port", "0", "dm.narrator.pacing", "0ms", "dm.embedder.provider", "hashing")))),
                p -> new DmEngine.Ports(p.playerStore(), p.refreshTokenStore(), p.characterStore(), p.sessionStore(),
                        p.messageStore(), p.turnStore(), p.assetStore(), counting(p.embedder(), embedded),
                        p.vectorIndex(), p.languageModel(), counting(p.rateLimiter(), limited), p.cache(), p.jobQueue(),
                        counting(p.eventBus(), published), p.transactor(), p.clock()));
        try {
            server.auth().register(new Registration("hook@example.org", "a perfectly long passphrase", "Hook"),
                    "10.0.0.1");
            var login = server.auth().login("hook@example.org", "a perfectly long passphrase", "10.0.0.1");
            assertThat(limited.get()).as("login limits go through the decorated limiter").isPositive();

            var player = login.player().id();
            var character = server.engine().characters().create(player, NewCharacter.of("Hook", "fighter"));
            var session = server.engine().sessions().create(player, character.id(), "hooked");
            int limitedBefore = limited.get();
            AtomicInteger streamed = new AtomicInteger();
            server.engine().jobs().play(new TurnRequest(session.id(), player, "I look around", null,
                    new CancellationSignal()), new TurnListener() {
                        @Override
                        public void onEvent(TurnEvent e) {
                            streamed.incrementAndGet();
                        }
                    });

            assertThat(embedded.get()).as("the player message and the DM reply").isEqualTo(2);
            assertThat(limited.get()).as("the turn's rate limit").isEqualTo(limitedBefore + 1);
            assertThat(published.get()).as("every event of the turn is published").isEqualTo(streamed.get())
                    .isGreaterThan(3);
        } finally {
            server.stop();
        }
    }

    private static Embedder counting(Embedder e, AtomicInteger calls) {
        return new Embedder() {
            @Override
            public EmbeddingSpace space() {
                return e.space();
            }

            @Override
            public List<float[]> embedAll(List<String> texts) {
                calls.incrementAndGet();
                return e.embedAll(texts);
            }
        };
    }

    private static RateLimiter counting(RateLimiter r, AtomicInteger calls) {
        return new RateLimiter() {
            @Override
            public RateLimitDecision acquire(String key, RateLimit limit) {
                calls.incrementAndGet();
                return r.acquire(key, limit);
            }

            @Override
            public void reset(String key) {
                r.reset(key);
            }
        };
    }

    private static EventBus counting(EventBus b, AtomicInteger calls) {
        return new EventBus() {
            @Override
            public Event publish(String topic, String name, String data) {
                calls.incrementAndGet();
                return b.publish(topic, name, data);
            }

            @Override
            public Subscription subscribe(String topic, long afterId, EventListener listener) {
                return b.subscribe(topic, afterId, listener);
            }

            @Override
            public long lastId(String topic) {
                return b.lastId(topic);
            }

            @Override
            public List<Event> since(String topic, long afterId, int limit) {
                return b.since(topic, afterId, limit);
            }
        };
    }
}
