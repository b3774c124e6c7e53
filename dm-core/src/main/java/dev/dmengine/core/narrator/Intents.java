package dev.dmengine.core.narrator;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What the offline narrator asks the rules engine for, by keywords in the player's
 * message: drinking a potion uses one, attacking swings the equipped weapon (and the foe
 * strikes back), sneaking, searching, listening, climbing and persuading are skill checks. Each entry is one action of the {@code dm-actions} protocol (docs/dm-actions.md).
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

    private static final Pattern ATTACK = words("attack|strike|stab|slash|shoot|swing|hit");
    private static final Pattern DRINK = words("drink|quaff|potion");
    private static final Pattern EQUIPPED = Pattern.compile("(?m)^- ([a-z0-9][a-z0-9_-]*): \\d+ .*\\(equipped\\)$");
    private static final Pattern POTION = Pattern.compile("(?m)^- (healing-potion): [1-9]");

    List<String> actionsFor(String playerText, String system) {
        String t = playerText.toLowerCase(Locale.ROOT);
        List<String> actions = new ArrayList<>();
        if (DRINK.matcher(t).find()) {
            var potion = POTION.matcher(system);
            if (potion.find()) {
                actions.add("{\"type\":\"use_item\",\"itemId\":\"" + potion.group(1) + "\",\"purpose\":\"drink a potion\"}");
                return actions;
            }
        }
        if (ATTACK.matcher(t).find()) {
            var weapon = EQUIPPED.matcher(system);
            if (weapon.find()) {
                actions.add("{\"type\":\"attack\",\"weapon\":\"" + weapon.group(1)
                        + "\",\"targetAc\":13,\"target\":\"the foe\",\"purpose\":\"strike the foe\"}");
                actions.add("{\"type\":\"attack\",\"attacker\":\"the foe\",\"bonus\":3,\"damage\":\"1d6+1\","
                        + "\"damageType\":\"slashing\",\"purpose\":\"the foe strikes back\"}");
                return actions;
            }
        }
        for (Intent intent : table) {
            if (intent.pattern().matcher(t).find()) {
                actions.add(intent.action());
                break; // one check per turn keeps the offline game readable
            }
        }
        return actions;
    }
}
