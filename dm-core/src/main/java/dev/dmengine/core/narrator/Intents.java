package dev.dmengine.core.narrator;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What the offline narrator asks the rules engine for, by keywords in the player's
 * message. Each entry is one action of the {@code dm-actions} protocol (docs/dm-actions.md).
 */
final class Intents {

    private record Intent(Pattern pattern, String action) {
    }

    private final List<Intent> table = List.of(
            new Intent(words("sneak|hide|creep|tiptoe|stealthily"),
                    "{\"type\":\"check\",\"skill\":\"stealth\",\"dc\":13,\"purpose\":\"move unseen\"}"),
            new Intent(words("search|investigate|examine|inspect"),
                    "{\"type\":\"check\",\"skill\":\"investigation\",\"dc\":12,\"purpose\":\"search the area\"}"),
            new Intent(words("listen|spot|watch|look around"),
                    "{\"type\":\"check\",\"skill\":\"perception\",\"dc\":12,\"purpose\":\"notice what is hidden\"}"),
            new Intent(words("climb|jump|swim|force|break"),
                    "{\"type\":\"check\",\"skill\":\"athletics\",\"dc\":12,\"purpose\":\"a feat of strength\"}"),
            new Intent(words("persuade|convince|bargain|negotiate"),
                    "{\"type\":\"check\",\"skill\":\"persuasion\",\"dc\":14,\"purpose\":\"win them over\"}"));

    private static Pattern words(String alternatives) {
        return Pattern.compile("\\b(" + alternatives + ")\\b");
    }

    List<String> actionsFor(String playerText, String system) {
        String t = playerText.toLowerCase(Locale.ROOT);
        List<String> actions = new ArrayList<>();
        for (Intent intent : table) {
            if (intent.pattern().matcher(t).find()) {
                actions.add(intent.action());
                break; // one check per turn keeps the offline game readable
            }
        }
        return actions;
    }
}
