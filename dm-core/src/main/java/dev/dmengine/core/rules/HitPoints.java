package dev.dmengine.core.rules;

/**
 * Hit points. Bounds (checked by {@link CharacterSheet}): {@code 1 <= max <= 999},
 * {@code 0 <= current <= max}, {@code 0 <= temp <= 999}.
 *
 * @param temp temporary hit points, lost first when taking damage
 */
public record HitPoints(int max, int current, int temp) {

    /** Full health, no temporary HP. */
    public static HitPoints full(int max) {
        return new HitPoints(max, max, 0);
    }
}
