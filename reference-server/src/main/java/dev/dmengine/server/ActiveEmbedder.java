package dev.dmengine.server;

import dev.dmengine.spi.retrieval.Embedder;
import dev.dmengine.spi.retrieval.EmbeddingSpace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The embedder of the database's active embedding space: what the engine embeds turns with,
 * and what {@code /vec/*} writes and searches with. When a re-embedding run switches the
 * active space (on this instance or another), this embedder follows within
 * {@code dm.embedder.refresh}; until some space is active it is the configured one. The
 * database wins over {@code dm.embedder}: a server configured for the old model after a switch
 * embeds with the new one and says so. If the active space is one this configuration cannot
 * make, it keeps the configured embedder and logs why (its vectors then go to a space that is
 * not searched by the other instances).
 *
 * <p>Callers take {@link #current()} once per unit of work, so that the space they write under
 * and their vectors come from one model even while a switch happens.
 */
final class ActiveEmbedder implements Embedder {

    private static final Logger LOG = LoggerFactory.getLogger(ActiveEmbedder.class);

    private final Embedders embedders;
    private final Supplier<Optional<EmbeddingSpace>> activeSpace;
    private final long refreshNanos;
    private final AtomicLong nextLookup = new AtomicLong(System.nanoTime());
    private final Set<EmbeddingSpace> reported = ConcurrentHashMap.newKeySet();
    private volatile Embedder current;

    /**
     * @param activeSpace the database's active space (empty when none is yet); {@code null} when
     *                    there is no database and the configured embedder is always the one
     */
    ActiveEmbedder(Embedders embedders, Supplier<Optional<EmbeddingSpace>> activeSpace, Duration refresh) {
        this.embedders = embedders;
        this.activeSpace = activeSpace;
        this.refreshNanos = refresh.toNanos();
        this.current = embedders.configured();
    }

    @Override
    public Embedder current() {
        long due = nextLookup.get();
        long now = System.nanoTime();
        if (activeSpace != null && now - due >= 0 && nextLookup.compareAndSet(due, now + refreshNanos)) {
            refresh();
        }
        return current;
    }

    @Override
    public EmbeddingSpace space() {
        return current().space();
    }

    @Override
    public List<float[]> embedAll(List<String> texts) {
        return current().embedAll(texts);
    }

    /** Looks the active space up now (after a switch made here, or at start-up). */
    void refresh() {
        if (activeSpace == null) {
            return;
        }
        Optional<EmbeddingSpace> active;
        try {
            active = activeSpace.get();
        } catch (RuntimeException e) { // the database is unreachable: keep embedding as before
            LOG.debug("could not look up the active embedding space: {}", e.toString());
            return;
        }
        EmbeddingSpace wanted = active.orElse(embedders.configured().space());
        Embedder was = current;
        if (wanted.equals(was.space())) {
            return;
        }
        Optional<Embedder> next = embedders.forSpace(wanted);
        if (next.isPresent()) {
            current = next.get();
            if (!wanted.equals(embedders.configured().space()) && reported.add(wanted)) {
                LOG.warn("the database's active embedding space is {} (switched by a re-embedding run), while "
                        + "dm.embedder names {}: embedding with {}; set dm.embedder to match", wanted,
                        embedders.configured().space(), wanted);
            }
            LOG.info("embedding space {} (was {})", wanted, was.space());
        } else if (reported.add(wanted)) {
            LOG.error("the database's active embedding space is {}, which dm.embedder ({}) cannot make: still "
                    + "embedding with {}, whose vectors are not searched under the active space. Configure "
                    + "dm.embedder for {}, or re-embed to {} with ./dm reembed", wanted, embedders.configured().space(),
                    was.space(), wanted, was.space());
        }
    }
}
