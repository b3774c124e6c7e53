package dev.dmengine.core.rules;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * One recorded change to a {@link GameState}, as JSON values.
 *
 * <p>Paths: dotted fields of the state JSON ({@code sheet.hp.current}, {@code sheet.conditions},
 * {@code rollCounter}) or one inventory stack by id ({@code inventory[healing-potion]}).
 * {@code before} is {@code null} for {@link Kind#ADD}, {@code after} is {@code null} for {@link Kind#REMOVE}.
 *
 * @param reason what caused it, e.g. {@code "damage: goblin scimitar"}
 */
public record StateChange(String path, Kind kind, JsonNode before, JsonNode after, String reason) {

    /** What happened at the path. */
    public enum Kind { SET, ADD, REMOVE }

    public StateChange {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(kind, "kind");
    }
}
