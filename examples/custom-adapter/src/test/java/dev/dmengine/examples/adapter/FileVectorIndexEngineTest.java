package dev.dmengine.examples.adapter;

import dev.dmengine.core.DmEngine;
import dev.dmengine.core.game.NewCharacter;
import dev.dmengine.core.retrieval.HashingEmbedder;
import dev.dmengine.core.turn.TurnEvent;
import dev.dmengine.core.turn.TurnRequest;
import dev.dmengine.core.turn.TurnResult;
import dev.dmengine.spi.game.GameSession;
import dev.dmengine.spi.game.Message;
import dev.dmengine.spi.game.MessageRole;
import dev.dmengine.spi.identity.Player;
import dev.dmengine.spi.retrieval.VectorMatch;
import dev.dmengine.spi.retrieval.VectorQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The adapter in its place: the engine plays turns on it, and what it indexed is on the disk. */
class FileVectorIndexEngineTest {

    @TempDir
    Path dir;

    @Test
    void the_engine_plays_streamed_turns_on_the_file_index_and_their_messages_are_on_disk() {
        HashingEmbedder embedder = new HashingEmbedder();
        Path file = dir.resolve("vectors.log");
        List<Message> transcript;
        GameSession session;
        Player player;
        List<TurnEvent> events = new ArrayList<>();

        try (FileVectorIndex index = FileVectorIndex.open(file)) {
            DmEngine engine = DmEngine.builder().vectorIndex(index).embedder(embedder).build();
            player = engine.players().create("ines@example.org", "Ines");
            var hero = engine.characters().create(player.id(), NewCharacter.of("Ines", "rogue"));
            session = engine.sessions().create(player.id(), hero.id(), "The file-backed keep");

            TurnResult first = engine.turns().play(TurnRequest.of(session.id(), player.id(), "I pick the lock"),
                    events::add);
            engine.turns().play(TurnRequest.of(session.id(), player.id(), "I slip inside and listen"), events::add);

            assertThat(events).filteredOn(e -> e instanceof TurnEvent.Token).isNotEmpty();
            assertThat(events).filteredOn(e -> e instanceof TurnEvent.Completed).hasSize(2);
            assertThat(index.count(embedder.space(), session.id())).isEqualTo(4); // 2 turns x (player + DM)
            assertThat(first.dmMessage().content()).isNotBlank();
            transcript = engine.sessions().messages(player.id(), session.id(), null, 200).items();
        }

        try (FileVectorIndex reopened = FileVectorIndex.open(file)) {
            List<VectorMatch> onDisk = reopened.search(VectorQuery.player(embedder.space(), player.id(),
                    embedder.embed("the lock"), VectorQuery.MAX_K));
            assertThat(onDisk).extracting(VectorMatch::messageId).containsExactlyInAnyOrderElementsOf(
                    transcript.stream().filter(m -> m.role() != MessageRole.SYSTEM).map(Message::id).toList());
            assertThat(onDisk).extracting(VectorMatch::sessionId).containsOnly(session.id());
        }
    }
}
