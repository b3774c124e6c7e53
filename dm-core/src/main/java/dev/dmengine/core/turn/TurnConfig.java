package dev.dmengine.core.turn;

import dev.dmengine.core.prompt.PromptBudget;
import dev.dmengine.spi.infra.RateLimit;

import java.time.Duration;
import java.util.Objects;

/**
 * Tunables of the DM turn. {@link #defaults()} suits a chat model with a 4k context.
 *
 * @param maxMessageChars   longest player message accepted
 * @param recentWindow      messages before the new one that go into the prompt verbatim
 * @param retrievalK        earlier messages retrieved by similarity (outside the window)
 * @param maxOutputTokens   longest DM reply per generation round
 * @param maxRounds         generation rounds per turn (2: narrate the rules' results)
 * @param turnRate          turns a player may play, across sessions
 * @param lockTtl           how long a session's turn lock outlives a holder that died; a live
 *                          holder renews it every third of this, however long the turn takes
 *
 * <p>No retry settings: the engine does not retry generations; the model adapter does (see
 * {@code dm-remote}'s {@code RetryPolicy}), so retries never multiply.
 */
public record TurnConfig(String persona, int maxMessageChars, int recentWindow, int retrievalK, PromptBudget budget,
                         int maxOutputTokens, double temperature, int maxRounds, RateLimit turnRate, Duration lockTtl) {

    public static final String DEFAULT_PERSONA = """
            You are the Dungeon Master of a tabletop fantasy role-playing game. Narrate vividly and \
            briefly in the second person, play every character but the player's, keep the world \
            consistent with what happened before, and end by asking what the player does. The game \
            engine owns dice, hit points and inventory: never invent their values, ask for them.""";

    public TurnConfig {
        Objects.requireNonNull(persona, "persona");
        Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(turnRate, "turnRate");
        Objects.requireNonNull(lockTtl, "lockTtl");
        require(maxMessageChars >= 1 && maxMessageChars <= 100_000, "maxMessageChars must be 1 to 100000");
        require(recentWindow >= 0 && recentWindow <= 200, "recentWindow must be 0 to 200");
        require(retrievalK >= 0 && retrievalK <= 100, "retrievalK must be 0 to 100");
        require(maxOutputTokens >= 1, "maxOutputTokens must be at least 1");
        require(temperature >= 0 && temperature <= 2, "temperature must be 0 to 2");
        require(maxRounds == 1 || maxRounds == 2, "maxRounds must be 1 or 2");
        require(!lockTtl.isNegative() && !lockTtl.isZero(), "lockTtl must be positive");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public static TurnConfig defaults() {
        return new TurnConfig(DEFAULT_PERSONA, 4_000, 8, 6, PromptBudget.DEFAULT, 400, 0.8, 2,
                new RateLimit(30, Duration.ofMinutes(1), 10), Duration.ofSeconds(30));
    }

    public TurnConfig withMaxMessageChars(int value) {
        return new TurnConfig(persona, value, recentWindow, retrievalK, budget, maxOutputTokens, temperature,
                maxRounds, turnRate, lockTtl);
    }

    public TurnConfig withTurnRate(RateLimit value) {
        return new TurnConfig(persona, maxMessageChars, recentWindow, retrievalK, budget, maxOutputTokens,
                temperature, maxRounds, value, lockTtl);
    }

    public TurnConfig withLockTtl(Duration value) {
        return new TurnConfig(persona, maxMessageChars, recentWindow, retrievalK, budget, maxOutputTokens,
                temperature, maxRounds, turnRate, value);
    }

    public TurnConfig withRetrieval(int window, int k) {
        return new TurnConfig(persona, maxMessageChars, window, k, budget, maxOutputTokens, temperature,
                maxRounds, turnRate, lockTtl);
    }

    public TurnConfig withBudget(PromptBudget value) {
        return new TurnConfig(persona, maxMessageChars, recentWindow, retrievalK, value, maxOutputTokens,
                temperature, maxRounds, turnRate, lockTtl);
    }
}
