package dev.dmengine.core.rules;

/**
 * An action (or a whole {@code dm-actions} block) the engine refused.
 *
 * @param index  0-based position of the action in the {@code dm-actions} array, or -1 for the block
 * @param type   the action type as written ({@code "?"} when it could not be read)
 * @param reason why, in words the model and the player can read
 */
public record Rejection(int index, String type, String reason) {
}
