package dev.dmengine.core.inmemory;

import dev.dmengine.core.game.Validation;
import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.identity.RefreshFamily;
import dev.dmengine.spi.identity.RefreshToken;
import dev.dmengine.spi.identity.RefreshTokenStore;

import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Refresh-token families and token hashes in maps guarded by one lock. */
public final class InMemoryRefreshTokenStore implements RefreshTokenStore {

    private static final Comparator<RefreshFamily> NEWEST_FIRST = Comparator
            .comparing(RefreshFamily::createdAt).reversed()
            .thenComparing(RefreshFamily::id, (a, b) -> Ids.compare(b, a));

    private static final int MAX_SEALED = 512;

    private final Map<UUID, RefreshFamily> families = new HashMap<>();
    private final Map<String, RefreshToken> tokens = new HashMap<>();

    @Override
    public synchronized RefreshFamily createFamily(RefreshFamily family) {
        Checks.notNull(family, "family");
        if (families.putIfAbsent(family.id(), family) != null) {
            throw new ConflictException("refresh family " + family.id() + " already exists");
        }
        return family;
    }

    @Override
    public synchronized Optional<RefreshFamily> getFamily(UUID familyId) {
        return Optional.ofNullable(families.get(Checks.notNull(familyId, "familyId")));
    }

    @Override
    public synchronized RefreshToken addToken(RefreshToken token) {
        Checks.notNull(token, "token");
        Validation.storable("tokenHash", token.tokenHash());
        if (!families.containsKey(token.familyId())) {
            throw new NotFoundException("refresh family", token.familyId());
        }
        if (tokens.putIfAbsent(token.tokenHash(), token) != null) {
            throw new ConflictException("refresh token already exists");
        }
        return token;
    }

    @Override
    public synchronized Optional<RefreshToken> findToken(String tokenHash) {
        return Optional.ofNullable(tokens.get(Checks.notNull(tokenHash, "tokenHash")));
    }

    /** {@code false} for a token that is unknown as well as for one already used. */
    @Override
    public synchronized boolean markUsed(String tokenHash, Instant at) {
        Checks.notNull(at, "at");
        RefreshToken t = tokens.get(Checks.notNull(tokenHash, "tokenHash"));
        if (t == null || t.usedAt() != null) {
            return false;
        }
        tokens.put(tokenHash, new RefreshToken(t.tokenHash(), t.familyId(), t.playerId(), t.issuedAt(), at));
        return true;
    }

    /** {@code false} for a token that is unknown, already used, or of another family than the successor. */
    @Override
    public synchronized boolean rotate(String usedHash, RefreshToken successor, String sealedSuccessor) {
        Checks.notNull(usedHash, "usedHash");
        Checks.notNull(successor, "successor");
        if (successor.usedAt() != null) {
            throw new InvalidInputException("successor", "must be unused");
        }
        if (sealedSuccessor != null && sealedSuccessor.length() > MAX_SEALED) {
            throw new InvalidInputException("sealedSuccessor", "must be at most " + MAX_SEALED + " characters");
        }
        RefreshToken used = tokens.get(usedHash);
        if (used == null || used.usedAt() != null || !used.familyId().equals(successor.familyId())
                || !used.playerId().equals(successor.playerId())) {
            return false;
        }
        if (tokens.containsKey(successor.tokenHash())) {
            throw new ConflictException("refresh token already exists");
        }
        tokens.put(usedHash, new RefreshToken(used.tokenHash(), used.familyId(), used.playerId(), used.issuedAt(),
                successor.issuedAt(), successor.tokenHash(), sealedSuccessor));
        tokens.put(successor.tokenHash(), successor);
        return true;
    }

    @Override
    public synchronized boolean revokeFamily(UUID familyId, Instant at) {
        Checks.notNull(at, "at");
        RefreshFamily f = families.get(Checks.notNull(familyId, "familyId"));
        if (f == null || f.revokedAt() != null) {
            return false;
        }
        families.put(familyId, revoked(f, at));
        return true;
    }

    @Override
    public synchronized int revokeAll(UUID playerId, Instant at) {
        Checks.notNull(playerId, "playerId");
        Checks.notNull(at, "at");
        int n = 0;
        for (RefreshFamily f : List.copyOf(families.values())) {
            if (f.playerId().equals(playerId) && f.isActive(at)) {
                families.put(f.id(), revoked(f, at));
                n++;
            }
        }
        return n;
    }

    @Override
    public synchronized List<RefreshFamily> families(UUID playerId) {
        Checks.notNull(playerId, "playerId");
        return families.values().stream().filter(f -> f.playerId().equals(playerId)).sorted(NEWEST_FIRST).toList();
    }

    private static RefreshFamily revoked(RefreshFamily f, Instant at) {
        return new RefreshFamily(f.id(), f.playerId(), f.createdAt(), f.expiresAt(), at);
    }
}
