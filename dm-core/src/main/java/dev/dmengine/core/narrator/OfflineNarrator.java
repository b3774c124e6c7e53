package dev.dmengine.core.narrator;

import dev.dmengine.spi.generation.ChatMessage;
import dev.dmengine.spi.generation.GenerationHandler;
import dev.dmengine.spi.generation.GenerationRequest;
import dev.dmengine.spi.generation.GenerationResult;
import dev.dmengine.spi.generation.LanguageModel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;

/**
 * A deterministic Dungeon Master that needs no model: the default {@link LanguageModel}, so
 * a game is playable with no network and no configuration, and tests have a model whose
 * every word is predictable.
 *
 * <p>It reads the prompt the engine built: the player's message (echoed back as the
 * character's action), the character from the system message, and the first retrieved
 * memory. It says plainly that it is the offline narrator. When the system message carries
 * the rules engine's action guide, it asks for real checks with a {@code dm-actions} block
 * (see {@link Intents}), and narrates their results when the engine sends them back.
 * It streams its reply word by word, optionally paced, and honours cancellation.
 */
public final class OfflineNarrator implements LanguageModel {

    public static final String MODEL_ID = "offline-narrator-v1";
    static final String RESULTS_MARKER = "[dm-results]";

    private static final List<String> SCENES = List.of(
            "Torchlight gutters along damp stone walls, and somewhere ahead water drips in a slow, patient rhythm.",
            "A cold wind carries the smell of pine and woodsmoke; the path forks beneath a leaning oak.",
            "The tavern's low ceiling traps the laughter and the heat; a hooded figure watches you from the corner.",
            "Moss-covered ruins rise from the fog, their carvings worn to faint, half-familiar shapes.",
            "Far off, a bell tolls once, and the crows in the dead orchard fall silent all at once.",
            "The corridor narrows; scratches on the floor suggest something heavy was dragged this way recently.",
            "Rain drums on the market awnings while merchants haggle in three languages over a crate of strange fruit.",
            "Moonlight silvers the river, and on the far bank a lantern blinks twice, then goes dark.",
            "Dust hangs in the air of the old library; one shelf has been swept clean of it, very recently.",
            "The campfire pops and hisses; beyond its circle of light, the night seems to lean closer.");

    private final Duration pacing;
    private final Intents intents;

    /** An unpaced narrator: it streams as fast as the consumer takes tokens. */
    public OfflineNarrator() {
        this(Duration.ZERO);
    }

    /** @param pacing the pause between streamed words, so a human can watch the reply arrive */
    public OfflineNarrator(Duration pacing) {
        this.pacing = Objects.requireNonNull(pacing, "pacing");
        if (pacing.isNegative()) {
            throw new IllegalArgumentException("pacing must not be negative");
        }
        this.intents = new Intents();
    }

    @Override
    public String modelId() {
        return MODEL_ID;
    }

    @Override
    public void generate(GenerationRequest request, GenerationHandler handler) {
        String reply;
        try {
            reply = compose(request.messages());
        } catch (RuntimeException e) {
            handler.onError(e);
            return;
        }
        StringBuilder sent = new StringBuilder();
        int tokens = 0;
        for (String chunk : chunks(reply)) {
            if (request.cancellation().isCancelled()) {
                handler.onError(new CancellationException("generation cancelled"));
                return;
            }
            if (tokens >= request.maxTokens()) {
                handler.onComplete(new GenerationResult(sent.toString(), "length", tokens, attributes()));
                return;
            }
            pause();
            handler.onToken(chunk);
            sent.append(chunk);
            tokens++;
        }
        handler.onComplete(new GenerationResult(sent.toString(), "stop", tokens, attributes()));
    }

    private static Map<String, String> attributes() {
        return Map.of("provider", "offline");
    }

    String compose(List<ChatMessage> messages) {
        String system = messages.getFirst().role() == ChatMessage.Role.SYSTEM ? messages.getFirst().content() : "";
        ChatMessage last = messages.getLast();
        boolean rules = system.contains("dm-actions");
        if (last.content().startsWith(RESULTS_MARKER)) {
            return narrateResults(last.content());
        }
        String player = last.content().strip();
        String hero = heroName(system);
        int h = Math.floorMod(player.hashCode() * 31 + messages.size(), SCENES.size());

        StringBuilder sb = new StringBuilder();
        sb.append("(The offline narrator speaks.) ");
        sb.append(hero).append(", ").append(echo(player)).append(' ');
        sb.append(SCENES.get(h));
        String memory = firstMemory(system);
        if (memory != null) {
            sb.append(" You remember this from earlier: \"").append(memory).append("\"");
        }
        List<String> actions = rules ? intents.actionsFor(player, system) : List.of();
        if (actions.isEmpty()) {
            sb.append(" What do you do next?");
        } else {
            sb.append(" Let the dice decide.\n\n```dm-actions\n[").append(String.join(",", actions)).append("]\n```");
        }
        return sb.toString();
    }

    private static String narrateResults(String results) {
        List<String> lines = new ArrayList<>();
        for (String line : results.split("\n")) {
            String l = line.strip();
            var numbered = java.util.regex.Pattern.compile("^\\d+\\.\\s+(.*)$").matcher(l);
            if (numbered.matches()) {
                lines.add(numbered.group(1));
            }
        }
        if (lines.isEmpty()) {
            return "(The offline narrator speaks.) Nothing comes of it. What do you do next?";
        }
        return "(The offline narrator speaks.) The dice have spoken: " + String.join("; ", lines)
                + ". What do you do next?";
    }

    /** "I open the door" → "you open the door."; anything else is quoted. */
    static String echo(String player) {
        String first = player.split("(?<=[.!?])\\s+", 2)[0];
        if (first.length() > 160) {
            first = first.substring(0, 157).strip() + "…";
        }
        String lower = first.toLowerCase(java.util.Locale.ROOT);
        if (lower.startsWith("i ")) {
            String rest = first.substring(2).strip();
            return "you " + (rest.endsWith(".") || rest.endsWith("!") || rest.endsWith("?") || rest.endsWith("…")
                    ? rest : rest + ".");
        }
        return "you decide: \"" + first + "\".";
    }

    static String heroName(String system) {
        int i = system.indexOf("## The player's character");
        if (i < 0) {
            return "Traveller";
        }
        String rest = system.substring(i).split("\n", 3).length > 1 ? system.substring(i).split("\n", 3)[1] : "";
        int comma = rest.indexOf(',');
        String name = (comma > 0 ? rest.substring(0, comma) : rest).strip();
        if (name.startsWith("Name:")) {
            name = name.substring(5).strip();
        }
        return name.isEmpty() || name.length() > 60 ? "Traveller" : name;
    }

    static String firstMemory(String system) {
        int i = system.indexOf("## Memories from earlier in this story");
        if (i < 0) {
            return null;
        }
        for (String line : system.substring(i).split("\n")) {
            if (line.startsWith("- ")) {
                String m = line.substring(2);
                int colon = m.indexOf(": ");
                if (colon >= 0) {
                    m = m.substring(colon + 2);
                }
                m = m.strip();
                return m.length() > 120 ? m.substring(0, 117).strip() + "…" : m;
            }
        }
        return null;
    }

    /** Word-sized chunks that concatenate back to the text exactly. */
    static List<String> chunks(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 1; i <= text.length(); i++) {
            if (i == text.length() || Character.isWhitespace(text.charAt(i - 1)) && !Character.isWhitespace(text.charAt(i))) {
                out.add(text.substring(start, i));
                start = i;
            }
        }
        return out;
    }

    private void pause() {
        if (pacing.isZero()) {
            return;
        }
        try {
            Thread.sleep(pacing);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
