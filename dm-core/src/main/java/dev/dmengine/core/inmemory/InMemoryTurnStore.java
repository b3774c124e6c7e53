package dev.dmengine.core.inmemory;

import dev.dmengine.core.game.Validation;
import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.game.TurnRecord;
import dev.dmengine.spi.game.TurnStore;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/** Turn records indexed by id, by (session, seq) and by (session, idempotency key). */
public final class InMemoryTurnStore implements TurnStore {

    private record KeyRef(UUID sessionId, String idempotencyKey) {
    }

    private final Map<UUID, TurnRecord> byId = new HashMap<>();
    private final Map<UUID, NavigableMap<Long, UUID>> bySessionSeq = new HashMap<>();
    private final Map<KeyRef, UUID> byKey = new HashMap<>();

    @Override
    public synchronized TurnRecord create(TurnRecord turn) {
        storable(turn);
        if (byId.containsKey(turn.id())) {
            throw new ConflictException("turn " + turn.id() + " already exists");
        }
        checkUnique(turn, null);
        index(turn);
        return turn;
    }

    @Override
    public synchronized Optional<TurnRecord> get(UUID id) {
        return Optional.ofNullable(byId.get(Checks.notNull(id, "id")));
    }

    @Override
    public synchronized Optional<TurnRecord> findByIdempotencyKey(UUID sessionId, String idempotencyKey) {
        Checks.notNull(sessionId, "sessionId");
        Checks.notNull(idempotencyKey, "idempotencyKey");
        UUID id = byKey.get(new KeyRef(sessionId, idempotencyKey));
        return id == null ? Optional.empty() : Optional.of(byId.get(id));
    }

    @Override
    public synchronized TurnRecord update(TurnRecord turn) {
        storable(turn);
        TurnRecord old = byId.get(turn.id());
        if (old == null) {
            throw new NotFoundException("turn", turn.id());
        }
        checkUnique(turn, turn.id());
        unindex(old);
        index(turn);
        return turn;
    }

    @Override
    public synchronized List<TurnRecord> listBySession(UUID sessionId) {
        NavigableMap<Long, UUID> seqs = bySessionSeq.get(Checks.notNull(sessionId, "sessionId"));
        return seqs == null ? List.of() : seqs.values().stream().map(byId::get).toList();
    }

    @Override
    public synchronized Optional<TurnRecord> latest(UUID sessionId) {
        NavigableMap<Long, UUID> seqs = bySessionSeq.get(Checks.notNull(sessionId, "sessionId"));
        return seqs == null || seqs.isEmpty() ? Optional.empty() : Optional.of(byId.get(seqs.lastEntry().getValue()));
    }

    private static void storable(TurnRecord t) {
        Checks.notNull(t, "turn");
        Validation.storable("idempotencyKey", t.idempotencyKey());
        Validation.storableJson("stateBefore", t.stateBefore());
        Validation.storableJson("stateAfter", t.stateAfter());
        Validation.storableJson("mechanics", t.mechanics());
        Validation.storable("failureReason", t.failureReason());
    }

    /** Conflicts with any turn other than {@code self} on the same (session, seq) or (session, key). */
    private void checkUnique(TurnRecord turn, UUID self) {
        NavigableMap<Long, UUID> seqs = bySessionSeq.get(turn.sessionId());
        UUID holder = seqs == null ? null : seqs.get(turn.seq());
        if (holder != null && !holder.equals(self)) {
            throw new ConflictException("session " + turn.sessionId() + " already has turn " + turn.seq());
        }
        if (turn.idempotencyKey() != null) {
            UUID keyHolder = byKey.get(new KeyRef(turn.sessionId(), turn.idempotencyKey()));
            if (keyHolder != null && !keyHolder.equals(self)) {
                throw new ConflictException("session " + turn.sessionId() + " already has a turn with that idempotency key");
            }
        }
    }

    private void index(TurnRecord turn) {
        byId.put(turn.id(), turn);
        bySessionSeq.computeIfAbsent(turn.sessionId(), s -> new TreeMap<>()).put(turn.seq(), turn.id());
        if (turn.idempotencyKey() != null) {
            byKey.put(new KeyRef(turn.sessionId(), turn.idempotencyKey()), turn.id());
        }
    }

    private void unindex(TurnRecord turn) {
        byId.remove(turn.id());
        NavigableMap<Long, UUID> seqs = bySessionSeq.get(turn.sessionId());
        if (seqs != null && Objects.equals(seqs.get(turn.seq()), turn.id())) {
            seqs.remove(turn.seq());
            if (seqs.isEmpty()) {
                bySessionSeq.remove(turn.sessionId());
            }
        }
        if (turn.idempotencyKey() != null) {
            byKey.remove(new KeyRef(turn.sessionId(), turn.idempotencyKey()), turn.id());
        }
    }
}
