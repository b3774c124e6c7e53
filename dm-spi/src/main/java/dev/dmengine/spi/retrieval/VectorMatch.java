package dev.dmengine.spi.retrieval;

import java.util.UUID;

/** A search hit: the message and its cosine similarity to the query (1 = same direction). */
public record VectorMatch(UUID messageId, UUID sessionId, double score) {
}
