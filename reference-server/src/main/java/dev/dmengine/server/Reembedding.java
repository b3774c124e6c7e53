package dev.dmengine.server;

import dev.dmengine.postgres.EmbeddingSpaces;
import dev.dmengine.postgres.Reembedder;
import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.DmException;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.retrieval.Embedder;
import dev.dmengine.spi.retrieval.EmbeddingSpace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Re-embedding as an operator runs it, on the PostgreSQL profile: starts a run of
 * {@link Reembedder} in the background of this server, reports its progress, stops, resumes
 * and cancels it. The run itself is durable (its cursor and counts live in the database), so
 * a crashed or stopped server loses at most the batch in flight, and any instance goes on with
 * it: the one asked to, or — with {@code dm.reembed.resume-on-start} — the next one that
 * starts. One instance works on a run at a time (the run's advisory lock).
 *
 * <p>After the switch this server points its {@link ActiveEmbedder} at the new space at once
 * (the others within {@code dm.embedder.refresh}), waits {@code dm.reembed.settle} for turns
 * that began before the switch, and settles the run: their vectors, written to the old space,
 * are embedded into the new one.
 */
final class Reembedding implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Reembedding.class);

    private final Reembedder reembedder;
    private final EmbeddingSpaces spaces;
    private final Embedders embedders;
    private final ActiveEmbedder active;
    private final ServerSettings.Reembed settings;
    private volatile Job job;
    private volatile boolean closed;

    /** The run this server works on (or last worked on). */
    private final class Job {
        final Embedder embedder;
        final int batchSize;
        final Duration pause;
        final Instant started = Instant.now();
        final long startNanos = System.nanoTime();
        final AtomicLong embedded = new AtomicLong();
        volatile Thread thread;
        volatile boolean finished;
        volatile RuntimeException failure;

        Job(Embedder embedder, int batchSize, Duration pause) {
            this.embedder = embedder;
            this.batchSize = batchSize;
            this.pause = pause;
        }

        EmbeddingSpace target() {
            return embedder.space();
        }

        /** Texts embedded here per second since this server took the run up. */
        double rate() {
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            return seconds <= 0 ? 0 : embedded.get() / seconds;
        }
    }

    Reembedding(Reembedder reembedder, EmbeddingSpaces spaces, Embedders embedders, ActiveEmbedder active,
                ServerSettings.Reembed settings) {
        this.reembedder = reembedder;
        this.spaces = spaces;
        this.embedders = embedders;
        this.active = active;
        this.settings = settings;
    }

    /**
     * Starts (or resumes, or joins) the run to {@code model} at {@code dimension} and returns
     * its status. Refused: a model this configuration cannot make, the active space itself, a
     * run to another space that is unfinished, a run here to another space.
     */
    synchronized Map<String, Object> start(String model, int dimension, Integer batchSize, Duration pause) {
        Embedder embedder = embedders.forModel(model, dimension);
        EmbeddingSpace target = embedder.space();
        Job current = job;
        if (current != null && !current.finished) {
            if (current.target().equals(target)) {
                return status(target).orElseThrow();
            }
            throw new ConflictException("this server is running the re-embedding run to " + current.target()
                    + "; wait for it, or stop it first");
        }
        if (reembedder.running(target)) { // another instance works on it: report it
            return status(target).orElseThrow();
        }
        Optional<EmbeddingSpace> from = spaces.active();
        if (from.isPresent() && from.get().equals(target)) {
            Optional<Reembedder.Progress> done = reembedder.progress(target).filter(Reembedder.Progress::switched);
            if (done.isPresent()) {
                if (!done.get().settled()) {
                    launch(new Job(embedder, batchSize(batchSize), pause(pause)));
                }
                return status(target).orElseThrow();
            }
            throw new InvalidInputException("model", target + " is the active embedding space already");
        }
        for (Reembedder.Progress other : reembedder.unfinished()) {
            if (!other.target().equals(target) && from.isPresent() && other.source().equals(from.get())) {
                throw new ConflictException("the re-embedding run to " + other.target() + " is unfinished ("
                        + other.done() + " of " + other.total() + "): finish it (./dm reembed --model "
                        + other.target().modelId() + " --dimension " + other.target().dimension()
                        + ") or cancel it (./dm reembed --cancel) first");
            }
        }
        Job next = new Job(embedder, batchSize(batchSize), pause(pause));
        launch(next);
        awaitStart(next);
        if (next.finished && next.failure instanceof DmException refused) {
            throw refused; // e.g. another instance took the run up a moment ago
        }
        return status(target).orElseGet(() -> local(next));
    }

    /** The status of the run an operator most likely asks about (an unfinished one, else the latest). */
    Optional<Map<String, Object>> status() {
        Job current = job;
        if (current != null && !current.finished) {
            return status(current.target());
        }
        return reembedder.latest().map(p -> describe(p, current));
    }

    private Optional<Map<String, Object>> status(EmbeddingSpace target) {
        Job current = job;
        return reembedder.progress(target).map(p -> describe(p,
                current != null && current.target().equals(target) ? current : null));
    }

    /** Asks the unfinished run to stop after its current batch (on whichever instance runs it). */
    Map<String, Object> stop() {
        Reembedder.Progress run = reembedder.unfinished().stream().findFirst()
                .orElseThrow(() -> new NotFoundException("unfinished re-embedding run", "-"));
        reembedder.requestStop(run.target());
        return status(run.target()).orElseThrow();
    }

    /** Drops the unfinished run and the vectors it built; refused while it runs. */
    Map<String, Object> cancel() {
        Reembedder.Progress run = reembedder.unfinished().stream().findFirst()
                .orElseThrow(() -> new NotFoundException("unfinished re-embedding run", "-"));
        if (reembedder.running(run.target())) {
            throw new ConflictException("the re-embedding run to " + run.target() + " is running: stop it first "
                    + "(./dm reembed --stop), then cancel it");
        }
        reembedder.cancel(run.target());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cancelled", space(run.target()));
        out.put("active", space(run.source()));
        return out;
    }

    /**
     * At start-up: goes on with an unfinished run (unless stopped by the operator) or settles a
     * switched one, when this configuration can make its model.
     */
    synchronized void resumeOnStart() {
        if (!settings.resumeOnStart()) {
            return;
        }
        Optional<Reembedder.Progress> candidate;
        try {
            Optional<EmbeddingSpace> from = spaces.active();
            candidate = reembedder.unfinished().stream()
                    .filter(p -> !p.stopRequested() && from.isPresent() && p.source().equals(from.get()))
                    .findFirst()
                    .or(() -> reembedder.latest().filter(p -> p.switched() && !p.settled()
                            && from.isPresent() && p.target().equals(from.get())))
                    .filter(p -> !reembedder.running(p.target()));
        } catch (DmException e) {
            LOG.warn("could not look for an unfinished re-embedding run: {}", e.getMessage());
            return;
        }
        if (candidate.isEmpty()) {
            return;
        }
        Optional<Embedder> embedder = embedders.forSpace(candidate.get().target());
        if (embedder.isEmpty()) {
            LOG.warn("the re-embedding run to {} is unfinished, and dm.embedder cannot make that model here: "
                    + "resume it on an instance that can", candidate.get().target());
            return;
        }
        LOG.info("{} the re-embedding run to {} ({} of {} done)", candidate.get().switched() ? "settling" : "resuming",
                candidate.get().target(), candidate.get().done(), candidate.get().total());
        launch(new Job(embedder.get(), settings.batchSize(), settings.pause()));
    }

    /** For {@code /health}: the run, if one is unfinished or this server works on it. */
    Optional<Map<String, Object>> health() {
        Job current = job;
        if (current != null && !current.finished) {
            return status(current.target());
        }
        return reembedder.unfinished().stream().findFirst().map(p -> describe(p, null));
    }

    private int batchSize(Integer requested) {
        return requested == null ? settings.batchSize() : requested;
    }

    private Duration pause(Duration requested) {
        return requested == null ? settings.pause() : requested;
    }

    private void launch(Job next) {
        if (closed) {
            throw new ConflictException("the server is stopping");
        }
        job = next;
        next.thread = Thread.ofPlatform().daemon().name("dm-reembed").start(() -> work(next));
    }

    /** Lets a run that cannot start (another instance took it, the space changed) say so to the caller. */
    private static void awaitStart(Job next) {
        for (int i = 0; i < 20 && !next.finished && next.embedded.get() == 0; i++) {
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void work(Job j) {
        try {
            Reembedder.Progress p = reembedder.run(j.embedder, j.batchSize, Integer.MAX_VALUE, (progress, n) -> {
                j.embedded.addAndGet(n);
                rest(j);
            });
            if (p.switched()) {
                active.refresh();
                if (!p.settled()) {
                    Duration wait = settleRemaining(p);
                    LOG.info("switched to {}: the last pass in {}", p.target(), wait);
                    sleep(wait);
                    p = reembedder.settle(j.embedder, j.batchSize, (progress, n) -> j.embedded.addAndGet(n));
                }
                LOG.info("re-embedding to {} is done: {} texts, {} embedded here at {}/s", p.target(), p.done(),
                        j.embedded.get(), Math.round(j.rate()));
            } else if (p.stopRequested()) {
                LOG.info("re-embedding to {} stopped at {} of {}", p.target(), p.done(), p.total());
            }
        } catch (CancellationException e) {
            LOG.info("re-embedding to {} paused: {}", j.target(), e.getMessage());
        } catch (RuntimeException e) {
            j.failure = e;
            LOG.warn("re-embedding to {} failed: {}", j.target(), e.toString());
        } finally {
            j.finished = true;
        }
    }

    private Duration settleRemaining(Reembedder.Progress p) {
        Duration since = Duration.between(p.updatedAt(), Instant.now());
        Duration left = settings.settle().minus(since);
        return left.isNegative() ? Duration.ZERO : left;
    }

    private void rest(Job j) {
        if (closed) {
            throw new CancellationException("the server is stopping; the run resumes from here");
        }
        sleep(j.pause);
    }

    private void sleep(Duration d) {
        if (d.isZero()) {
            return;
        }
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("the server is stopping; the run resumes from here");
        }
        if (closed) {
            throw new CancellationException("the server is stopping; the run resumes from here");
        }
    }

    private Map<String, Object> describe(Reembedder.Progress p, Job here) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("source", space(p.source()));
        out.put("target", space(p.target()));
        out.put("state", p.state());
        out.put("done", p.done());
        out.put("total", p.total());
        out.put("percent", Math.floor(p.fraction() * 1000) / 10.0);
        boolean runningHere = here != null && !here.finished;
        out.put("running", runningHere || reembedder.running(p.target()));
        out.put("runningHere", runningHere);
        out.put("stopRequested", p.stopRequested());
        out.put("settled", p.settled());
        out.put("startedAt", String.valueOf(p.startedAt()));
        out.put("updatedAt", String.valueOf(p.updatedAt()));
        if (here != null) {
            out.put("embeddedHere", here.embedded.get());
            out.put("ratePerSecond", Math.round(here.rate() * 10) / 10.0);
            if (here.failure != null) {
                out.put("error", String.valueOf(here.failure.getMessage()));
            }
        }
        return out;
    }

    private Map<String, Object> local(Job j) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("target", space(j.target()));
        out.put("running", !j.finished);
        out.put("runningHere", !j.finished);
        if (j.failure != null) {
            out.put("error", String.valueOf(j.failure.getMessage()));
        }
        return out;
    }

    static Map<String, Object> space(EmbeddingSpace s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", s.modelId());
        out.put("dimension", s.dimension());
        return out;
    }

    @Override
    public void close() {
        closed = true;
        Job j = job;
        if (j != null && j.thread != null) {
            j.thread.interrupt();
            try {
                j.thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
