package dev.dmengine.core.rules;

/**
 * One applied action, as shown to the player (a {@code roll} / {@code state.changed} event) and
 * summarised for the model.
 *
 * @param index   0-based position of the action in the {@code dm-actions} array
 * @param summary one line, e.g. {@code check stealth (DC 13): 1d20+5 = [14] +5 = 19 → SUCCESS}
 * @param rolled  whether dice were rolled (the model cannot know the outcome yet)
 */
public record ActionOutcome(int index, String type, String summary, boolean rolled) {
}
