package dev.dmengine.core.turn;

import dev.dmengine.core.DmEngine;
import dev.dmengine.core.game.NewCharacter;
import dev.dmengine.core.inmemory.InMemoryEventBus;
import dev.dmengine.core.retrieval.HashingEmbedder;
import dev.dmengine.core.inmemory.InMemoryMessageStore;
import dev.dmengine.core.inmemory.InMemoryTurnStore;
import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.IdempotencyKeyReusedException;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.RateLimitedException;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.game.GameCharacter;
import dev.dmengine.spi.game.GameSession;
import dev.dmengine.spi.game.InventoryItem;
import dev.dmengine.spi.game.Message;
import dev.dmengine.spi.game.MessageRole;
import dev.dmengine.spi.game.MessageStore;
import dev.dmengine.spi.game.TurnRecord;
import dev.dmengine.spi.game.TurnStatus;
import dev.dmengine.spi.game.TurnStore;
import dev.dmengine.spi.generation.ChatMessage;
import dev.dmengine.spi.generation.GenerationResult;
import dev.dmengine.spi.generation.LanguageModel;
import dev.dmengine.spi.identity.Player;
import dev.dmengine.spi.infra.Event;
import dev.dmengine.spi.infra.EventBus;
import dev.dmengine.spi.infra.EventListener;
import dev.dmengine.spi.infra.NewEvent;
import dev.dmengine.spi.infra.Subscription;
import dev.dmengine.spi.infra.RateLimit;
import dev.dmengine.spi.retrieval.Embedder;
import dev.dmengine.spi.retrieval.EmbeddingSpace;
import dev.dmengine.spi.retrieval.VectorRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TurnEngineTest {

    private DmEngine engine;
    private Player player;
    private GameSession session;

    private void setUp(LanguageModel model) {
        setUp(DmEngine.builder().languageModel(model)
                );
    }

    private void setUp(DmEngine.Builder builder) {
        engine = builder.build();
        player = engine.players().create("aria@example.org", "Aria");
        var hero = engine.characters().create(player.id(), NewCharacter.of("Aria", "wizard"));
        session = engine.sessions().create(player.id(), hero.id(), "The sunken keep");
    }

    private List<Message> transcript() {
        return engine.sessions().messages(player.id(), session.id(), null, 200).items();
    }

    private TurnResult play(String text) {
        return engine.turns().play(TurnRequest.of(session.id(), player.id(), text), TurnListener.NONE);
    }

    @Test
    void a_turn_stores_the_player_and_dm_messages_with_their_vectors() {
        setUp(TestModels.Recording.replying("The door creaks open onto darkness."));

        TurnResult result = play("  I open the door  ");

        assertThat(transcript()).extracting(Message::role, Message::content).containsExactly(
                org.assertj.core.groups.Tuple.tuple(MessageRole.PLAYER, "I open the door"),
                org.assertj.core.groups.Tuple.tuple(MessageRole.DM, "The door creaks open onto darkness."));
        assertThat(result.turn().status()).isEqualTo(TurnStatus.COMPLETED);
        assertThat(result.turn().seq()).isEqualTo(1);
        assertThat(result.dmMessage().attributes()).containsEntry("model", "test-model")
                .containsEntry("prediction", "p-1");
        var space = engine.ports().embedder().space();
        assertThat(engine.ports().vectorIndex().count(space, session.id())).isEqualTo(2);
    }

    @Test
    void events_stream_in_order_to_the_listener_and_the_session_topic() {
        setUp(TestModels.Recording.replying("Torchlight flickers."));
        List<TurnEvent> heard = new ArrayList<>();
        List<Event> published = new CopyOnWriteArrayList<>();
        try (var sub = engine.ports().eventBus().subscribe(TurnEngine.topic(session.id()), 0, published::add)) {
            engine.turns().play(TurnRequest.of(session.id(), player.id(), "I look around"), heard::add);
        }

        assertThat(heard).extracting(TurnEvent::name)
                .containsExactly("turn.started", "token", "token", "dm.message", "turn.completed");
        String streamed = heard.stream().filter(e -> e instanceof TurnEvent.Token)
                .map(e -> ((TurnEvent.Token) e).text()).collect(Collectors.joining());
        assertThat(streamed).isEqualTo("Torchlight flickers.");
        assertThat(published).extracting(Event::name)
                .containsExactly("turn.started", "token", "token", "dm.message", "turn.completed");
        assertThat(published).extracting(Event::id).isSorted().doesNotHaveDuplicates();
        assertThat(published.get(1).data()).contains("\"text\":\"Torchl");
    }

    /** An event bus whose publishes wait at a gate, so tokens queue up behind a slow bus. */
    private static final class GatedBus implements EventBus {
        private final InMemoryEventBus delegate = new InMemoryEventBus();
        final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
        final CountDownLatch gate = new CountDownLatch(1);
        final List<String> publisherThreads = new CopyOnWriteArrayList<>();

        @Override
        public List<Event> publishAll(String topic, List<NewEvent> events) {
            batchSizes.add(events.size());
            publisherThreads.add(Thread.currentThread().getName());
            if (events.getFirst().name().equals("token")) {
                try {
                    assertThat(gate.await(30, TimeUnit.SECONDS)).as("the model finished streaming").isTrue();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            return delegate.publishAll(topic, events);
        }

        @Override
        public Event publish(String topic, String name, String data) {
            return publishAll(topic, List.of(new NewEvent(name, data))).getFirst();
        }

        @Override
        public Subscription subscribe(String topic, long afterId, EventListener listener) {
            return delegate.subscribe(topic, afterId, listener);
        }

        @Override
        public long lastId(String topic) {
            return delegate.lastId(topic);
        }

        @Override
        public List<Event> since(String topic, long afterId, int limit) {
            return delegate.since(topic, afterId, limit);
        }
    }

    @Test
    void tokens_that_come_faster_than_the_bus_answers_are_published_together_in_order_and_all_before_play_returns() {
        GatedBus bus = new GatedBus();
        int tokens = 40;
        setUp(DmEngine.builder().eventBus(bus).languageModel(new TestModels.Recording((call, h) -> {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < tokens; i++) {
                h.onToken("w" + i + " ");
                text.append("w").append(i).append(' ');
            }
            bus.gate.countDown(); // the bus answers only now: every token after the first is queued
            h.onComplete(new GenerationResult(text.toString(), "stop", tokens, Map.of()));
        })));
        List<String> heard = new ArrayList<>();
        List<Long> ids = new ArrayList<>();
        String turnThread = Thread.currentThread().getName();

        engine.turns().play(TurnRequest.of(session.id(), player.id(), "I listen"), new TurnListener() {
            @Override
            public void onEvent(TurnEvent event) {
                throw new AssertionError("onPublished is called");
            }

            @Override
            public void onPublished(TurnEvent event, long eventId) {
                heard.add(event instanceof TurnEvent.Token t ? t.text() : event.name());
                ids.add(eventId);
            }
        });

        // everything reached the listener before play returned, in order, with the bus's ids
        List<String> expected = new ArrayList<>(List.of("turn.started"));
        for (int i = 0; i < tokens; i++) {
            expected.add("w" + i + " ");
        }
        expected.addAll(List.of("dm.message", "turn.completed"));
        assertThat(heard).containsExactlyElementsOf(expected);
        assertThat(ids).containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, expected.size()).boxed().toList());
        assertThat(bus.since(TurnEngine.topic(session.id()), 0, 100)).extracting(Event::id).containsExactlyElementsOf(ids);
        // the bus held the first publish with a token until the model was done: the tokens
        // queued behind it went out together (how they split depends on when the publisher woke)
        assertThat(bus.batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(expected.size());
        assertThat(bus.batchSizes).as("publishes for %d events", expected.size()).hasSizeLessThanOrEqualTo(5);
        assertThat(bus.publisherThreads).allSatisfy(t -> assertThat(t).isEqualTo("dm-turn-events").isNotEqualTo(turnThread));
    }

    @Test
    void more_queued_events_than_one_publish_carries_go_out_in_several_in_order() {
        GatedBus bus = new GatedBus();
        int tokens = TurnEvents.MAX_BATCH * 2 + 5;
        setUp(DmEngine.builder().eventBus(bus).languageModel(new TestModels.Recording((call, h) -> {
            for (int i = 0; i < tokens; i++) {
                h.onToken(".");
            }
            bus.gate.countDown();
            h.onComplete(new GenerationResult(".".repeat(tokens), "stop", tokens, Map.of()));
        })));
        List<Event> published = new CopyOnWriteArrayList<>();
        try (var sub = bus.subscribe(TurnEngine.topic(session.id()), 0, published::add)) {
            play("I wait");
        }

        assertThat(bus.batchSizes).allSatisfy(n -> assertThat(n).isBetween(1, TurnEvents.MAX_BATCH))
                .contains(TurnEvents.MAX_BATCH).hasSizeLessThanOrEqualTo(7);
        assertThat(bus.since(TurnEngine.topic(session.id()), 0, 1000)).hasSize(tokens + 3)
                .extracting(Event::id).isSorted().doesNotHaveDuplicates();
    }

    /** Embeds as the default embedder does, but lets a test hold or fail the embedding of chosen texts. */
    private static final class ControlledEmbedder implements Embedder {
        private final Embedder delegate = new HashingEmbedder();
        volatile java.util.function.Predicate<String> failing = t -> false;
        volatile java.util.function.Predicate<String> held = t -> false;
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch holding = new CountDownLatch(1);

        @Override
        public EmbeddingSpace space() {
            return delegate.space();
        }

        @Override
        public List<float[]> embedAll(List<String> texts) {
            for (String t : texts) {
                if (failing.test(t)) {
                    throw new UnavailableException("the embedding server is down");
                }
                if (held.test(t)) {
                    holding.countDown();
                    try {
                        assertThat(release.await(30, TimeUnit.SECONDS)).as("released").isTrue();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
            return delegate.embedAll(texts);
        }
    }

    private boolean indexed(UUID messageId) {
        return engine.ports().vectorIndex().unindexed(engine.ports().embedder().space(), session.id(),
                List.of(messageId)).isEmpty();
    }

    @Test
    void turn_completed_reaches_the_player_before_the_reply_is_embedded_and_play_returns_after_it_is_indexed() {
        ControlledEmbedder embedder = new ControlledEmbedder();
        embedder.held = t -> t.equals("The vault is empty.");
        setUp(DmEngine.builder().embedder(embedder).languageModel(TestModels.Recording.replying("The vault is empty.")));
        List<String> heardWhileHeld = new CopyOnWriteArrayList<>();

        TurnResult result = engine.turns().play(TurnRequest.of(session.id(), player.id(), "I open the vault"), e -> {
            if (e instanceof TurnEvent.Completed) {
                // the reply's embedding waits for this very event: had it come first, the turn would hang
                heardWhileHeld.add(e.name());
                embedder.release.countDown();
            }
        });

        assertThat(heardWhileHeld).containsExactly("turn.completed");
        assertThat(indexed(result.dmMessage().id())).as("indexed before play returned").isTrue();
        assertThat(indexed(result.playerMessage().id())).isTrue();
    }

    @Test
    void a_reply_that_could_not_be_indexed_is_indexed_by_the_sessions_next_turn() {
        ControlledEmbedder embedder = new ControlledEmbedder();
        embedder.failing = t -> t.equals("Reply 1");
        setUp(DmEngine.builder().embedder(embedder)
                .languageModel(new TestModels.Recording((call, h) -> TestModels.stream(h, "Reply " + call))));

        TurnResult first = play("I knock");

        assertThat(first.turn().status()).isEqualTo(TurnStatus.COMPLETED); // the player lost nothing
        assertThat(indexed(first.dmMessage().id())).isFalse();
        embedder.failing = t -> false;

        TurnResult second = play("I knock again");

        assertThat(indexed(first.dmMessage().id())).as("repaired by the next turn").isTrue();
        assertThat(indexed(second.dmMessage().id())).isTrue();
        assertThat(engine.ports().vectorIndex().count(embedder.space(), session.id())).isEqualTo(4);
    }

    @Test
    void a_reply_replaced_while_it_was_being_indexed_leaves_no_vector_behind() throws Exception {
        ControlledEmbedder embedder = new ControlledEmbedder();
        embedder.held = t -> t.equals("Reply 1");
        setUp(DmEngine.builder().embedder(embedder)
                .languageModel(new TestModels.Recording((call, h) -> TestModels.stream(h, "Reply " + call))));

        CompletableFuture<TurnResult> first = CompletableFuture.supplyAsync(() -> play("I knock"));
        assertThat(embedder.holding.await(30, TimeUnit.SECONDS)).isTrue(); // turn 1 is complete, its reply not indexed
        TurnResult again = engine.turns().regenerate(session.id(), player.id(),
                new dev.dmengine.spi.generation.CancellationSignal(), TurnListener.NONE);
        embedder.release.countDown();
        TurnResult replaced = first.get(30, TimeUnit.SECONDS);

        assertThat(transcript()).extracting(Message::content).containsExactly("I knock", "Reply 2");
        assertThat(indexed(again.dmMessage().id())).isTrue();
        assertThat(indexed(replaced.dmMessage().id())).as("the replaced reply's vector").isFalse();
        assertThat(engine.ports().vectorIndex().count(embedder.space(), session.id())).isEqualTo(2);
    }

    @Test
    void the_player_message_is_embedded_while_the_turn_stores_it() {
        // the embedding is held until the player message's transaction has run, and that transaction
        // waits until the embedding has begun: one step after the other, either way round, never ends
        ControlledEmbedder embedder = new ControlledEmbedder();
        embedder.held = t -> t.equals("I light the brazier");
        java.util.concurrent.atomic.AtomicInteger transactions = new java.util.concurrent.atomic.AtomicInteger();
        dev.dmengine.spi.Transactor transactor = new dev.dmengine.spi.Transactor() {
            @Override
            public <R> R inTransaction(java.util.function.Supplier<R> work) {
                if (transactions.incrementAndGet() > 1) {
                    return work.get();
                }
                try {
                    assertThat(embedder.holding.await(30, TimeUnit.SECONDS)).as("the embedding began meanwhile").isTrue();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                R stored = work.get();
                embedder.release.countDown();
                return stored;
            }
        };
        setUp(DmEngine.builder().embedder(embedder).transactor(transactor)
                .languageModel(TestModels.Recording.replying("Flames leap up.")));

        TurnResult result = play("I light the brazier");

        assertThat(result.turn().status()).isEqualTo(TurnStatus.COMPLETED);
        assertThat(transactions).hasValue(2); // the player message's, then the reply's
        assertThat(indexed(result.playerMessage().id())).isTrue();
    }

    @Test
    void a_turn_that_fails_after_recalling_still_indexes_its_player_message_after_turn_failed() {
        setUp(new TestModels.Recording((call, h) -> h.onError(TestModels.down())));
        List<String> heard = new CopyOnWriteArrayList<>();
        UUID[] playerMessage = new UUID[1];

        assertThatThrownBy(() -> engine.turns().play(TurnRequest.of(session.id(), player.id(), "I call out"), e -> {
            if (e instanceof TurnEvent.Started started) {
                playerMessage[0] = started.playerMessageId();
            }
            if (e instanceof TurnEvent.Failed) {
                heard.add(e.name() + (indexed(playerMessage[0]) ? " after the vector" : " before the vector"));
            }
        })).isInstanceOf(UnavailableException.class);

        assertThat(heard).containsExactly("turn.failed before the vector");
        assertThat(indexed(playerMessage[0])).as("indexed before play returned").isTrue();
    }

    @Test
    void an_embedder_that_fails_fails_the_turn_after_the_player_message_is_stored() {
        ControlledEmbedder embedder = new ControlledEmbedder();
        embedder.failing = t -> t.equals("I whisper");
        setUp(DmEngine.builder().embedder(embedder).languageModel(TestModels.Recording.replying("unused")));

        assertThatThrownBy(() -> play("I whisper")).isInstanceOf(UnavailableException.class)
                .hasMessageContaining("the embedding server is down");

        assertThat(transcript()).extracting(Message::content).containsExactly("I whisper");
        var turn = engine.ports().turnStore().latest(session.id()).orElseThrow();
        assertThat(turn.status()).isEqualTo(TurnStatus.FAILED);
        assertThat(turn.failureReason()).contains("the embedding server is down");
        assertThat(engine.turns().ownedSession(session.id(), player.id())).isNotNull();
        embedder.failing = t -> false;
        assertThat(play("I whisper louder").turn().status()).as("the session is free").isEqualTo(TurnStatus.COMPLETED);
    }

    @Test
    void an_empty_message_is_refused_and_nothing_is_stored() {
        setUp(TestModels.Recording.replying("unused"));

        assertThatThrownBy(() -> play("   "))
                .isInstanceOfSatisfying(InvalidInputException.class,
                        e -> assertThat(e.errors().getFirst().field()).isEqualTo("text"))
                .hasMessageContaining("must not be empty");
        assertThat(transcript()).isEmpty();
    }

    @Test
    void an_oversized_message_is_refused_naming_the_limit() {
        setUp(DmEngine.builder().languageModel(TestModels.Recording.replying("unused"))
                .turnConfig(TurnConfig.defaults().withMaxMessageChars(10)));

        assertThatThrownBy(() -> play("x".repeat(11)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("text: must be at most 10 characters, was 11");
        assertThat(transcript()).isEmpty();
    }

    @Test
    void the_default_limit_is_4000_characters() {
        setUp(TestModels.Recording.replying("ok"));

        assertThatThrownBy(() -> play("y".repeat(4_001))).hasMessage("text: must be at most 4000 characters, was 4001");
        assertThat(play("y".repeat(4_000)).playerMessage().content()).hasSize(4_000);
    }

    @Test
    void an_unknown_session_and_another_players_session_are_not_found() {
        setUp(TestModels.Recording.replying("unused"));
        Player mallory = engine.players().create("mallory@example.org", "Mallory");

        assertThatThrownBy(() -> engine.turns().play(TurnRequest.of(Ids.newId(), player.id(), "hi"), TurnListener.NONE))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("session");
        assertThatThrownBy(() -> engine.turns().play(TurnRequest.of(session.id(), mallory.id(), "hi"),
                TurnListener.NONE))
                .isInstanceOf(NotFoundException.class).hasMessageContaining(session.id().toString());
        assertThat(transcript()).isEmpty();
    }

    @Test
    void a_second_concurrent_turn_in_the_session_is_a_conflict() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        setUp(new TestModels.Recording((call, h) -> {
            if (call == 1) {
                entered.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            TestModels.stream(h, "Reply " + call);
        }));

        CompletableFuture<TurnResult> first = CompletableFuture.supplyAsync(() -> play("first"));
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(() -> play("second"))
                .isInstanceOf(ConflictException.class).hasMessageContaining("already in progress");
        release.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS).dmMessage().content()).isEqualTo("Reply 1");
        assertThat(play("third").dmMessage().content()).isEqualTo("Reply 2"); // the lock was released
        assertThat(transcript()).extracting(Message::content).containsExactly("first", "Reply 1", "third", "Reply 2");
    }

    @Test
    void a_retried_request_with_the_same_idempotency_key_returns_the_first_result() {
        TestModels.Recording model = TestModels.Recording.replying("Only once.");
        setUp(model);
        TurnRequest request = TurnRequest.of(session.id(), player.id(), "I pull the lever").withIdempotencyKey("req-1");

        TurnResult first = engine.turns().play(request, TurnListener.NONE);
        List<TurnEvent> heard = new ArrayList<>();
        TurnResult again = engine.turns().play(request, heard::add);

        assertThat(again.replayed()).isTrue();
        assertThat(again.dmMessage()).isEqualTo(first.dmMessage());
        assertThat(again.turn().id()).isEqualTo(first.turn().id());
        assertThat(model.calls).hasValue(1);
        assertThat(transcript()).hasSize(2);
        assertThat(heard).singleElement().isInstanceOfSatisfying(TurnEvent.Completed.class,
                c -> assertThat(c.replayed()).isTrue());
    }

    @Test
    void an_idempotency_key_reused_for_another_message_is_refused_and_plays_nothing() {
        TestModels.Recording model = TestModels.Recording.replying("Only once.");
        setUp(model);
        engine.turns().play(TurnRequest.of(session.id(), player.id(), "I pull the lever").withIdempotencyKey("req-1"),
                TurnListener.NONE);
        TurnRequest other = TurnRequest.of(session.id(), player.id(), "I push the lever").withIdempotencyKey("req-1");

        assertThatThrownBy(() -> engine.turns().play(other, TurnListener.NONE))
                .isInstanceOf(IdempotencyKeyReusedException.class).hasMessageContaining("req-1");
        assertThatThrownBy(() -> engine.turns().check(other)).isInstanceOf(IdempotencyKeyReusedException.class);
        assertThat(model.calls).hasValue(1);
        assertThat(transcript()).extracting(Message::content).containsExactly("I pull the lever", "Only once.");
        // the key's own message, spaced differently, is the same request after validation: a replay
        assertThat(engine.turns().play(TurnRequest.of(session.id(), player.id(), "  I pull the lever ")
                .withIdempotencyKey("req-1"), TurnListener.NONE).replayed()).isTrue();
    }

    @Test
    void an_idempotency_key_of_a_failed_turn_is_not_reused_for_another_message_either() {
        setUp(new TestModels.Recording((call, h) -> h.onError(new IllegalStateException("broken model"))));
        assertThatThrownBy(() -> engine.turns().play(TurnRequest.of(session.id(), player.id(), "I pull the lever")
                .withIdempotencyKey("req-2"), TurnListener.NONE)).isInstanceOf(UnavailableException.class);

        assertThatThrownBy(() -> engine.turns().play(TurnRequest.of(session.id(), player.id(), "I push the lever")
                .withIdempotencyKey("req-2"), TurnListener.NONE)).isInstanceOf(IdempotencyKeyReusedException.class);
        assertThat(transcript()).extracting(Message::content).containsExactly("I pull the lever");
    }

    @Test
    void check_returns_the_request_as_play_would_store_it_and_refuses_what_play_refuses() {
        setUp(TestModels.Recording.replying("Fine."));
        TurnRequest checked = engine.turns().check(TurnRequest.of(session.id(), player.id(), "  I wait \n")
                .withIdempotencyKey("k"));
        assertThat(checked.text()).isEqualTo("I wait");
        assertThat(checked.idempotencyKey()).isEqualTo("k");
        assertThatThrownBy(() -> engine.turns().check(TurnRequest.of(session.id(), player.id(), "   ")))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> engine.turns().check(TurnRequest.of(session.id(), Ids.newId(), "I wait")))
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> engine.turns().check(TurnRequest.of(session.id(), player.id(), "I wait")
                .withIdempotencyKey("a key"))).isInstanceOf(InvalidInputException.class);
        assertThat(transcript()).isEmpty();
    }

    @Test
    void a_models_reply_that_is_not_valid_text_is_stored_cleaned() {
        setUp(TestModels.Recording.replying("The door\u0000 opens\uD800."));
        TurnResult result = play("I open the door");
        assertThat(result.dmMessage().content()).isEqualTo("The door opens\uFFFD.");
        assertThat(transcript().getLast().content()).isEqualTo("The door opens\uFFFD.");
    }

    @Test
    void a_failed_turn_keeps_the_player_message_stores_no_dm_message_and_frees_the_session() {
        setUp(new TestModels.Recording((call, h) -> {
            if (call == 1) { // the engine does not retry: the adapter owns retries
                h.onError(TestModels.down());
            } else {
                TestModels.stream(h, "Back again.");
            }
        }));
        List<TurnEvent> heard = new ArrayList<>();

        assertThatThrownBy(() -> engine.turns().play(
                TurnRequest.of(session.id(), player.id(), "I call out").withIdempotencyKey("k"), heard::add))
                .isInstanceOf(UnavailableException.class).hasMessageContaining("down");

        assertThat(transcript()).extracting(Message::role).containsExactly(MessageRole.PLAYER);
        assertThat(heard.getLast()).isInstanceOfSatisfying(TurnEvent.Failed.class, f -> {
            assertThat(f.retriable()).isTrue();
            assertThat(f.reason()).contains("the model server is down");
        });
        var turn = engine.ports().turnStore().latest(session.id()).orElseThrow();
        assertThat(turn.status()).isEqualTo(TurnStatus.FAILED);
        assertThat(turn.failureReason()).contains("down");

        // retrying the same request plays the same turn again, without a second player message
        TurnResult retried = engine.turns().play(
                TurnRequest.of(session.id(), player.id(), "I call out").withIdempotencyKey("k"), TurnListener.NONE);
        assertThat(retried.turn().id()).isEqualTo(turn.id());
        assertThat(transcript()).extracting(Message::content).containsExactly("I call out", "Back again.");
    }

    @Test
    void an_unexpected_error_fails_the_turn_with_a_reason_that_names_no_internal_class() {
        setUp(new TestModels.Recording((call, h) -> h.onError(new IllegalStateException("socket 10.0.0.7 closed"))));
        List<TurnEvent> heard = new ArrayList<>();

        assertThatThrownBy(() -> engine.turns().play(TurnRequest.of(session.id(), player.id(), "hello"), heard::add))
                .isInstanceOf(UnavailableException.class);

        assertThat(heard.getLast()).isInstanceOfSatisfying(TurnEvent.Failed.class, f -> {
            assertThat(f.reason()).isEqualTo("an internal error interrupted the turn");
            assertThat(f.retriable()).isFalse();
        });
        assertThat(engine.ports().turnStore().latest(session.id()).orElseThrow().failureReason())
                .isEqualTo("an internal error interrupted the turn");
    }

    @Test
    void a_turn_whose_failure_could_not_be_recorded_is_marked_failed_when_the_next_turn_starts() {
        InMemoryTurnStore real = new InMemoryTurnStore();
        AtomicBoolean storeDown = new AtomicBoolean();
        TurnStore turns = new TurnStore() { // a store that goes down with the model, as a database restart would
            @Override
            public TurnRecord create(TurnRecord turn) {
                return real.create(turn);
            }

            @Override
            public Optional<TurnRecord> get(UUID id) {
                return real.get(id);
            }

            @Override
            public Optional<TurnRecord> findByIdempotencyKey(UUID sessionId, String key) {
                return real.findByIdempotencyKey(sessionId, key);
            }

            @Override
            public TurnRecord update(TurnRecord turn) {
                if (storeDown.get()) {
                    throw new UnavailableException("update turn: the database cannot be reached");
                }
                return real.update(turn);
            }

            @Override
            public List<TurnRecord> listBySession(UUID sessionId) {
                return real.listBySession(sessionId);
            }

            @Override
            public Optional<TurnRecord> latest(UUID sessionId) {
                return real.latest(sessionId);
            }
        };
        setUp(DmEngine.builder().turnStore(turns)
                .languageModel(new TestModels.Recording((call, h) -> {
                    if (call == 1) {
                        storeDown.set(true);
                        h.onError(TestModels.down());
                    } else {
                        TestModels.stream(h, "The lantern flares.");
                    }
                })));
        assertThatThrownBy(() -> play("I call out")).isInstanceOf(UnavailableException.class);
        TurnRecord abandoned = real.latest(session.id()).orElseThrow();
        assertThat(abandoned.status()).isEqualTo(TurnStatus.IN_PROGRESS); // its failure could not be written
        storeDown.set(false);

        TurnResult next = play("I light the lantern");

        assertThat(next.turn().seq()).isEqualTo(2);
        TurnRecord repaired = real.get(abandoned.id()).orElseThrow();
        assertThat(repaired.status()).isEqualTo(TurnStatus.FAILED);
        assertThat(repaired.failureReason()).isEqualTo("the turn was interrupted before it could finish");
        assertThat(repaired.dmMessageId()).isNull();
        assertThat(transcript()).extracting(Message::content)
                .containsExactly("I call out", "I light the lantern", "The lantern flares.");
    }

    @Test
    void a_transient_failure_before_any_token_is_not_retried_by_the_engine_the_adapter_owns_retries() {
        TestModels.Recording model = new TestModels.Recording((call, h) -> {
            if (call == 1) {
                h.onError(TestModels.down());
            } else {
                TestModels.stream(h, "Second time lucky.");
            }
        });
        setUp(model);

        assertThatThrownBy(() -> play("hello")).isInstanceOf(UnavailableException.class);
        assertThat(model.calls).as("one call: retries would multiply the adapter's").hasValue(1);
        assertThat(play("hello again").dmMessage().content()).isEqualTo("Second time lucky.");
    }

    @Test
    void a_failure_after_tokens_were_streamed_is_not_retried() {
        TestModels.Recording model = new TestModels.Recording((call, h) -> {
            h.onToken("Half a sent");
            h.onError(TestModels.down());
        });
        setUp(model);

        assertThatThrownBy(() -> play("hello")).isInstanceOf(UnavailableException.class);
        assertThat(model.calls).hasValue(1);
        assertThat(transcript()).extracting(Message::role).containsExactly(MessageRole.PLAYER);
    }

    @Test
    void a_cancelled_turn_fails_cleanly() {
        setUp(new TestModels.Recording((call, h) -> h.onError(new CancellationException("player left"))));
        TurnRequest request = TurnRequest.of(session.id(), player.id(), "hello");
        List<TurnEvent> heard = new ArrayList<>();

        assertThatThrownBy(() -> engine.turns().play(request, heard::add))
                .isInstanceOf(UnavailableException.class).hasMessageContaining("cancelled");
        assertThat(heard.getLast()).isInstanceOfSatisfying(TurnEvent.Failed.class,
                f -> assertThat(f.reason()).isEqualTo("the turn was cancelled"));
    }

    @Test
    void players_are_rate_limited_and_a_refused_turn_stores_nothing() {
        setUp(DmEngine.builder().languageModel(TestModels.Recording.replying("ok"))
                .turnConfig(TurnConfig.defaults().withTurnRate(new RateLimit(2, Duration.ofMinutes(1), 2))));
        play("one");
        play("two");

        assertThatThrownBy(() -> play("three"))
                .isInstanceOfSatisfying(RateLimitedException.class,
                        e -> assertThat(e.retryAfter()).isPositive())
                .hasMessageContaining("too many turns");
        assertThat(transcript()).extracting(Message::content).containsExactly("one", "ok", "two", "ok");
    }

    @Test
    void a_listener_that_throws_does_not_break_the_turn() {
        setUp(TestModels.Recording.replying("Still here."));

        TurnResult result = engine.turns().play(TurnRequest.of(session.id(), player.id(), "hi"), e -> {
            throw new IllegalStateException("socket closed");
        });

        assertThat(result.dmMessage().content()).isEqualTo("Still here.");
    }

    @Test
    void nothing_is_half_written_when_storing_the_dm_message_fails() {
        InMemoryMessageStore real = new InMemoryMessageStore();
        java.util.concurrent.atomic.AtomicBoolean failing = new java.util.concurrent.atomic.AtomicBoolean(true);
        MessageStore messages = new MessageStore() { // a store whose first DM write fails, delegating the rest
            @Override
            public Message append(Message message) {
                if (message.role() == MessageRole.DM && failing.getAndSet(false)) {
                    throw new UnavailableException("database went away");
                }
                return real.append(message);
            }

            @Override
            public java.util.Optional<Message> get(java.util.UUID id) {
                return real.get(id);
            }

            @Override
            public dev.dmengine.spi.Page<Message> list(java.util.UUID sessionId, String cursor, int limit) {
                return real.list(sessionId, cursor, limit);
            }

            @Override
            public List<Message> recent(java.util.UUID sessionId, int limit) {
                return real.recent(sessionId, limit);
            }

            @Override
            public long count(java.util.UUID sessionId) {
                return real.count(sessionId);
            }

            @Override
            public boolean delete(java.util.UUID id) {
                return real.delete(id);
            }

            @Override
            public long deleteSession(java.util.UUID sessionId) {
                return real.deleteSession(sessionId);
            }
        };
        setUp(DmEngine.builder().messageStore(messages).languageModel(TestModels.Recording.replying("Lost words.")));

        assertThatThrownBy(() -> play("hello")).isInstanceOf(UnavailableException.class);

        assertThat(transcript()).extracting(Message::role).containsExactly(MessageRole.PLAYER);
        var space = engine.ports().embedder().space();
        assertThat(engine.ports().vectorIndex().count(space, session.id())).isEqualTo(1); // the player's only
        assertThat(engine.ports().turnStore().latest(session.id()).orElseThrow().status()).isEqualTo(TurnStatus.FAILED);
        assertThat(play("again").turn().seq()).isEqualTo(2);
    }

    @Test
    void retrieval_brings_back_this_sessions_old_messages_and_never_another_sessions() {
        TestModels.Recording model = TestModels.Recording.replying("ok");
        setUp(DmEngine.builder().languageModel(model).turnConfig(TurnConfig.defaults().withRetrieval(2, 1)));
        var hero2 = engine.characters().create(player.id(), NewCharacter.of("Bren", "fighter"));
        GameSession other = engine.sessions().create(player.id(), hero2.id(), "Elsewhere");
        seed(session, "The old hermit said the silver dragon sleeps under the waterfall.");
        seed(other, "In another story the silver dragon sleeps under the waterfall, a secret.");
        for (int i = 0; i < 4; i++) {
            seed(session, "Filler chatter number " + i + " about bread and weather.");
        }

        play("Where does the silver dragon sleep?");

        String system = model.requests.getLast().messages().getFirst().content();
        assertThat(system).contains("## Memories from earlier in this story")
                .contains("The old hermit said the silver dragon sleeps under the waterfall.")
                .doesNotContain("In another story");
        List<ChatMessage> prompt = model.requests.getLast().messages();
        // the recent window (2 messages) is verbatim in the prompt and not repeated among memories
        assertThat(prompt.get(prompt.size() - 2).content()).isEqualTo("Filler chatter number 3 about bread and weather.");
        assertThat(system).doesNotContain("Filler chatter number 3");
        assertThat(prompt.getLast().content()).isEqualTo("Where does the silver dragon sleep?");
    }

    @Test
    void a_client_reacting_to_turn_completed_can_play_or_regenerate_at_once() {
        setUp(new TestModels.Recording((call, h) -> TestModels.stream(h, "Reply " + call)));
        List<TurnResult> next = new ArrayList<>();

        // the listener hears turn.completed while play() has not returned yet: the session's
        // turn lock must already be free, or a quick client gets "a turn is already in progress"
        engine.turns().play(TurnRequest.of(session.id(), player.id(), "I knock"), event -> {
            if (event instanceof TurnEvent.Completed && next.isEmpty()) {
                next.add(engine.turns().regenerate(session.id(), player.id(),
                        new dev.dmengine.spi.generation.CancellationSignal(), TurnListener.NONE));
                next.add(engine.turns().play(TurnRequest.of(session.id(), player.id(), "I wait"), TurnListener.NONE));
            }
        });

        assertThat(next).extracting(r -> r.turn().status()).containsExactly(TurnStatus.COMPLETED, TurnStatus.COMPLETED);
        assertThat(transcript()).extracting(Message::content).containsExactly("I knock", "Reply 2", "I wait", "Reply 3");
    }

    @Test
    void a_session_renamed_while_the_turn_runs_keeps_its_new_title_and_the_turn_marks_it_active() {
        List<GameSession> renamed = new ArrayList<>();
        setUp(new TestModels.Recording((call, h) -> {
            renamed.add(engine.sessions().rename(player.id(), session.id(), "The drowned keep"));
            TestModels.stream(h, "Water rises.");
        }));

        TurnResult result = play("I wade in");

        GameSession after = engine.sessions().get(player.id(), session.id());
        assertThat(after.title()).isEqualTo("The drowned keep");
        assertThat(after.updatedAt()).isEqualTo(result.dmMessage().createdAt())
                .isAfterOrEqualTo(renamed.getFirst().updatedAt());
    }

    /**
     * A model whose first round adds a rope to the character (the player editing the sheet while
     * the DM narrates; the edited character goes to {@code edited}) and then proposes {@code action}.
     */
    private TestModels.Recording editingMidTurn(List<GameCharacter> edited, String action) {
        return new TestModels.Recording((call, h) -> {
            if (call == 1) {
                GameCharacter c = engine.characters().get(player.id(), session.characterId());
                List<InventoryItem> kit = new ArrayList<>(c.inventory());
                kit.add(new InventoryItem("rope", "Hempen rope", 1, 10.0, false, java.util.Set.of()));
                edited.add(engine.characters().update(player.id(), c.id(), c.version(),
                        new NewCharacter(c.name(), c.characterClass(), c.level(), c.sheet(), kit)));
                TestModels.stream(h, "You act.\n```dm-actions\n[" + action + "]\n```");
            } else {
                TestModels.stream(h, "It is done.");
            }
        });
    }

    @Test
    void a_turn_that_only_rolls_leaves_the_character_alone_so_an_edit_made_meanwhile_stays() {
        List<GameCharacter> edited = new ArrayList<>();
        setUp(editingMidTurn(edited, "{\"type\":\"check\",\"skill\":\"stealth\",\"dc\":13,\"purpose\":\"sneak\"}"));

        TurnResult result = play("I sneak past the guard");

        assertThat(result.mechanics()).hasSize(1); // it rolled
        assertThat(result.turn().stateAfter()).isNotEqualTo(result.turn().stateBefore());
        assertThat(engine.characters().get(player.id(), session.characterId())).isEqualTo(edited.getFirst());
    }

    @Test
    void a_turn_that_changes_the_character_keeps_an_edit_the_player_made_meanwhile() {
        List<GameCharacter> edited = new ArrayList<>();
        setUp(editingMidTurn(edited, "{\"type\":\"use_item\",\"itemId\":\"healing-potion\",\"purpose\":\"drink\"}"));

        play("I drink a potion");

        GameCharacter after = engine.characters().get(player.id(), session.characterId());
        assertThat(after.version()).isGreaterThan(edited.getFirst().version()); // the turn wrote it
        assertThat(after.inventory()).filteredOn(i -> i.itemId().equals("healing-potion"))
                .extracting(InventoryItem::quantity).containsExactly(1); // the turn's change
        assertThat(after.inventory()).extracting(InventoryItem::itemId).contains("rope"); // the player's edit
    }

    @Test
    void regenerating_replaces_the_latest_reply_in_place() {
        setUp(new TestModels.Recording((call, h) -> TestModels.stream(h, "Reply " + call)));
        TurnResult first = play("I knock");

        TurnResult again = engine.turns().regenerate(session.id(), player.id(),
                new dev.dmengine.spi.generation.CancellationSignal(), TurnListener.NONE);

        assertThat(again.turn().id()).isEqualTo(first.turn().id());
        assertThat(again.turn().seq()).isEqualTo(1);
        assertThat(transcript()).extracting(Message::content).containsExactly("I knock", "Reply 2");
        var space = engine.ports().embedder().space();
        assertThat(engine.ports().vectorIndex().count(space, session.id())).isEqualTo(2);
    }

    @Test
    void a_failed_regeneration_keeps_the_old_reply() {
        setUp(new TestModels.Recording((call, h) -> {
            if (call == 1) {
                TestModels.stream(h, "The original reply.");
            } else {
                h.onError(new IllegalStateException("model crashed"));
            }
        }));
        play("I knock");

        assertThatThrownBy(() -> engine.turns().regenerate(session.id(), player.id(),
                new dev.dmengine.spi.generation.CancellationSignal(), TurnListener.NONE))
                .isInstanceOf(UnavailableException.class);

        assertThat(transcript()).extracting(Message::content).containsExactly("I knock", "The original reply.");
        assertThat(engine.ports().turnStore().latest(session.id()).orElseThrow().status())
                .isEqualTo(TurnStatus.COMPLETED);
    }

    private void seed(GameSession s, String text) {
        var p = engine.ports();
        Message m = p.messageStore().append(new Message(Ids.newId(), s.id(), null, MessageRole.PLAYER, text,
                p.clock().instant(), Map.of()));
        p.vectorIndex().upsert(p.embedder().space(),
                new VectorRecord(m.id(), s.id(), s.ownerId(), p.embedder().embed(text)));
    }
}
