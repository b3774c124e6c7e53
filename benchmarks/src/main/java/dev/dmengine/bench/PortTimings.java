package dev.dmengine.bench;

import dev.dmengine.core.DmEngine;
import dev.dmengine.spi.Transactor;
import dev.dmengine.spi.game.AssetStore;
import dev.dmengine.spi.game.CharacterStore;
import dev.dmengine.spi.game.MessageStore;
import dev.dmengine.spi.game.SessionStore;
import dev.dmengine.spi.game.TurnStore;
import dev.dmengine.spi.generation.GenerationHandler;
import dev.dmengine.spi.generation.LanguageModel;
import dev.dmengine.spi.identity.PlayerStore;
import dev.dmengine.spi.identity.RefreshTokenStore;
import dev.dmengine.spi.infra.Cache;
import dev.dmengine.spi.infra.EventBus;
import dev.dmengine.spi.infra.JobQueue;
import dev.dmengine.spi.infra.RateLimiter;
import dev.dmengine.spi.retrieval.Embedder;
import dev.dmengine.spi.retrieval.VectorIndex;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Timing decorators for every port the engine uses (a {@link Proxy} around each adapter, so the
 * engine carries no timing code), and the attribution of one turn's port calls to the stages of a
 * turn. Pass {@link #decorate} to {@code new DmServer(settings, decorate)}; {@link #drain} after
 * each turn gives its calls, {@link #trace} what each stage cost.
 *
 * <p>Each call records its own time and its <em>self</em> time (minus the decorated calls made
 * inside it, on the same thread: the vector write inside the commit's transaction, the publishes
 * inside the model's token callback), so stage times add up without counting anything twice. The
 * model's {@link GenerationHandler} is wrapped too: what the engine does with each token (filter,
 * publish, write it to the turn's SSE response) is the handler's time, not the model's.
 */
final class PortTimings {

    /** The stages of a turn, in the order it runs them. */
    enum Stage {
        ADMISSION("admission", "session ownership reads, turn lock (Cache) and rate limit, lock release"),
        RECORD("record", "player message + turn record (one transaction), the reads before it"),
        EMBED_PLAYER("embed: player", "the part of the player message's embedding the turn waited for (it runs on a"
                + " thread of its own beside the record and the window's read)"),
        EMBED_BESIDE("embed: beside", "the player message's whole embedding, on its own thread: not added to the turn"),
        EMBED_DM("embed: DM reply", "Embedder.embed of the DM reply (after the model)"),
        VECTOR_WRITE("vector write", "VectorIndex.upsert(All) before turn.completed (both vectors are written after"
                + " it now: see 'after turn.completed')"),
        RETRIEVAL("retrieval", "MessageStore.recent, VectorIndex.search, MessageStore.getAll of the matches"),
        PROMPT("prompt", "end of retrieval to the model's first call: prompt assembly and token counting"),
        GENERATION("generation", "LanguageModel.generate, minus the token callbacks"),
        STREAM("token handling", "the engine's token callback minus publish: filter, SSE write of the token"),
        COMMIT("commit", "DM message, character, session and turn record (one transaction), minus its vector write"),
        PUBLISH("publish", "EventBus.publish(All) on the turn's thread (none since events go out in groups)"),
        PUBLISH_OFF("publish, in groups", "EventBus.publishAll on the turn's event publisher: overlaps the turn,"
                + " not added to it"),
        AFTER("after turn.completed", "the reply's embedding, both vectors' write, the recent window's check"
                + " (ReplyIndexing): the player has the turn; not added to it"),
        AUTH_PORTS("(auth reads)", "PlayerStore/RefreshTokenStore reads of the request's authentication"),
        IGNORED("(other port calls)", "");

        final String label;
        final String what;

        Stage(String label, String what) {
            this.label = label;
            this.what = what;
        }
    }

    /** One decorated call. {@code self}: its time minus the decorated calls made inside it. */
    record Call(Thread thread, String port, String method, long start, long end, long self) {
        boolean is(String p) {
            return port.equals(p);
        }

        boolean is(String p, String m) {
            return port.equals(p) && method.equals(m);
        }
    }

    private static final class Frame {
        long children;
    }

    private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
    private final ThreadLocal<ArrayDeque<Frame>> stacks = ThreadLocal.withInitial(ArrayDeque::new);

    /** Every port wrapped (the job queue and asset store too, so nothing is left out). */
    DmEngine.Ports decorate(DmEngine.Ports p) {
        return new DmEngine.Ports(wrap(PlayerStore.class, p.playerStore()),
                wrap(RefreshTokenStore.class, p.refreshTokenStore()), wrap(CharacterStore.class, p.characterStore()),
                wrap(SessionStore.class, p.sessionStore()), wrap(MessageStore.class, p.messageStore()),
                wrap(TurnStore.class, p.turnStore()), wrap(AssetStore.class, p.assetStore()),
                wrap(Embedder.class, p.embedder()), wrap(VectorIndex.class, p.vectorIndex()),
                wrap(LanguageModel.class, p.languageModel()), wrap(RateLimiter.class, p.rateLimiter()),
                wrap(Cache.class, p.cache()), wrap(JobQueue.class, p.jobQueue()), wrap(EventBus.class, p.eventBus()),
                wrap(Transactor.class, p.transactor()), p.clock());
    }

    /** The calls recorded since the last drain (on every thread). */
    List<Call> drain() {
        List<Call> out = new ArrayList<>();
        Call c;
        while ((c = calls.poll()) != null) {
            out.add(c);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private <T> T wrap(Class<T> port, T target) {
        String name = port.getSimpleName();
        InvocationHandler h = (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return invoke(method, target, args);
            }
            if (port == LanguageModel.class && method.getName().equals("generate")) {
                args = args.clone();
                args[1] = wrap(GenerationHandler.class, (GenerationHandler) args[1]);
            }
            ArrayDeque<Frame> stack = stacks.get();
            Frame frame = new Frame();
            stack.push(frame);
            long start = System.nanoTime();
            try {
                Object result = invoke(method, target, args);
                if (port == Embedder.class && method.getName().equals("current") && result != target) {
                    // the turn embeds with the embedder current() hands out (the active space's): time it too
                    return wrap(Embedder.class, (Embedder) result);
                }
                return result;
            } finally {
                long end = System.nanoTime();
                stack.pop();
                Frame parent = stack.peek();
                if (parent != null) {
                    parent.children += end - start;
                }
                calls.add(new Call(Thread.currentThread(), name, method.getName(), start, end,
                        end - start - frame.children));
            }
        };
        return (T) Proxy.newProxyInstance(port.getClassLoader(), new Class<?>[]{port}, h);
    }

    private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /**
     * One turn as its thread ran it: what each stage cost (nanoseconds), when its first port call
     * started and its last ended, and the time between port calls that is not the prompt's
     * (the engine's own code: rules, JSON, the SSE writes of the turn's non-token events).
     */
    record Trace(Map<Stage, Long> stages, long firstStart, long lastEnd, long betweenCalls, int publishCalls) {
    }

    /**
     * What each stage of one turn cost, in nanoseconds, from the calls of the thread that ran it
     * (the one that called the model; a turn runs on its request's thread). The turn's phases are
     * told apart by where a call falls: before the first embedding (admission and the player
     * message's record), from it to the model (embed, vector write, retrieval), the model, after it
     * (embed, vector write, commit). {@code null} if the calls hold no generation.
     */
    static Trace trace(List<Call> all) {
        Thread turnThread = all.stream().filter(c -> c.is("LanguageModel", "generate")).map(Call::thread)
                .findFirst().orElse(null);
        if (turnThread == null) {
            return null;
        }
        List<Call> turn = all.stream().filter(c -> c.thread() == turnThread)
                .sorted(Comparator.comparingLong(Call::start)).toList();
        long genStart = turn.stream().filter(c -> c.is("LanguageModel", "generate")).mapToLong(Call::start).min()
                .orElseThrow();
        long genEnd = turn.stream().filter(c -> c.is("LanguageModel", "generate")).mapToLong(Call::end).max()
                .orElseThrow();
        long locked = turn.stream().filter(c -> c.is("Cache", "putIfAbsent")).mapToLong(Call::start).min()
                .orElse(genStart);
        Map<Stage, Long> out = new EnumMap<>(Stage.class);
        for (Stage s : Stage.values()) {
            out.put(s, 0L);
        }
        // the player message's embedding, on a thread of its own from the lock on: the turn waited
        // for the part of it that was left when the turn's thread had nothing else to do
        long waited = 0;
        Call embedding = all.stream().filter(c -> c.is("Embedder", "embed") || c.is("Embedder", "embedAll"))
                .filter(c -> c.thread() != turnThread && c.start() >= locked && c.start() < genStart)
                .findFirst().orElse(null);
        if (embedding != null) {
            long busyUntil = turn.stream().filter(c -> c.end() <= embedding.end() && c.end() >= embedding.start())
                    .mapToLong(Call::end).max().orElse(embedding.start());
            waited = Math.max(0, embedding.end() - Math.max(busyUntil, embedding.start()));
            out.put(Stage.EMBED_BESIDE, embedding.end() - embedding.start());
        }
        long lastBeforeModel = locked;
        long self = 0;
        long lastEnd = 0;
        // the session lock's release (Cache.deleteIfEquals) comes right before turn.completed;
        // what the turn's thread does after it is the reply's indexing
        long released = turn.stream().filter(c -> c.is("Cache", "deleteIfEquals") && c.start() > genEnd)
                .mapToLong(Call::end).min().orElse(Long.MAX_VALUE);
        for (Call c : turn) {
            Stage s = c.start() > released ? Stage.AFTER : stage(c, locked, genStart, genEnd);
            out.merge(s, c.self(), Long::sum);
            if (s != Stage.AFTER) {
                self += c.self();
                lastEnd = Math.max(lastEnd, c.end());
            }
            if (c.end() <= genStart) {
                lastBeforeModel = Math.max(lastBeforeModel, c.end());
            }
        }
        out.merge(Stage.EMBED_PLAYER, waited, Long::sum);
        out.put(Stage.PROMPT, genStart - lastBeforeModel);
        long publishOff = 0;
        int publishCalls = 0;
        for (Call c : all) {
            if (c.is("EventBus", "publish") || c.is("EventBus", "publishAll")) {
                publishCalls++;
                if (c.thread() != turnThread) {
                    publishOff += c.self();
                }
            }
        }
        out.put(Stage.PUBLISH_OFF, publishOff);
        long firstStart = turn.get(0).start();
        return new Trace(out, firstStart, lastEnd, lastEnd - firstStart - self - waited - out.get(Stage.PROMPT),
                publishCalls);
    }

    private static Stage stage(Call c, long locked, long genStart, long genEnd) {
        if (c.is("PlayerStore") || c.is("RefreshTokenStore")) {
            return Stage.AUTH_PORTS;
        }
        if (c.is("EventBus", "publish") || c.is("EventBus", "publishAll")) {
            return Stage.PUBLISH;
        }
        if (c.is("LanguageModel", "generate")) {
            return Stage.GENERATION;
        }
        if (c.is("GenerationHandler")) {
            return Stage.STREAM;
        }
        if (c.is("LanguageModel") || c.is("JobQueue") || c.is("AssetStore")) {
            return Stage.IGNORED;
        }
        if (c.is("Cache") || c.is("RateLimiter")) {
            return Stage.ADMISSION;
        }
        if (c.is("Embedder")) {
            return c.start() > genEnd ? Stage.EMBED_DM : Stage.EMBED_PLAYER;
        }
        if (c.is("VectorIndex", "upsert") || c.is("VectorIndex", "upsertAll")) {
            return Stage.VECTOR_WRITE;
        }
        if (c.start() < locked) {
            return Stage.ADMISSION; // the session's ownership, an earlier turn of the same key
        }
        if (c.start() < genStart) {
            return c.is("MessageStore", "recent") || c.is("VectorIndex", "search") || c.is("MessageStore", "getAll")
                    ? Stage.RETRIEVAL : Stage.RECORD;
        }
        return c.start() > genEnd ? Stage.COMMIT : Stage.IGNORED;
    }
}
