package dev.dmengine.core.prompt;

import dev.dmengine.spi.Ids;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.game.Message;
import dev.dmengine.spi.generation.ChatMessage;
import dev.dmengine.spi.generation.TokenCounter;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Builds the DM prompt within a token budget. Deterministic: the same input and budget give
 * the same prompt, byte for byte.
 *
 * <p>Layout: one system message (persona, rules guide, state, then the retrieved memories
 * in story order), the recent window as user/assistant turns, the player's message last.
 * Trimming order when the budget is short:
 * <ol>
 *   <li>the state description is cut to {@link PromptBudget#maxStateTokens()} at a line boundary;</li>
 *   <li>memories get at most {@link PromptBudget#memorySharePercent()} of what is left, best score
 *       first (ties: older message first); one that does not fit is skipped and the next tried;</li>
 *   <li>the recent window gets the rest, newest first, and stops at the first message that does
 *       not fit, so it stays contiguous.</li>
 * </ol>
 * The persona, the rules guide and the player's message are never cut; if they alone exceed
 * the budget the input is refused.
 */
public final class PromptAssembler {

    /** Tokens a chat template adds around each message (role markers, separators). */
    static final int PER_MESSAGE_OVERHEAD = 4;
    static final String MEMORIES_HEADER = "## Memories from earlier in this story";
    static final String STATE_HEADER = "## The player's character";
    static final String TRUNCATED_MARK = "[…]";

    private final TokenCounter counter;
    private final PromptBudget budget;

    public PromptAssembler(TokenCounter counter, PromptBudget budget) {
        this.counter = Objects.requireNonNull(counter, "counter");
        this.budget = Objects.requireNonNull(budget, "budget");
    }

    public AssembledPrompt assemble(PromptInput in) {
        String state = in.state();
        boolean stateTruncated = false;
        if (counter.count(state) > budget.maxStateTokens()) {
            state = cutToBudget(state, budget.maxStateTokens() - counter.count(TRUNCATED_MARK) - 1) + "\n" + TRUNCATED_MARK;
            stateTruncated = true;
        }
        String systemCore = systemCore(in.persona(), in.rulesGuide(), state);
        int fixed = cost(systemCore) + cost(in.playerText());
        if (fixed > budget.maxPromptTokens()) {
            throw new InvalidInputException("content", "the message does not fit the model's prompt budget of "
                    + budget.maxPromptTokens() + " tokens (it needs about " + fixed + " with the DM instructions)");
        }
        int remaining = budget.maxPromptTokens() - fixed;

        // Memories: best first, skip what does not fit.
        int memoryBudget = in.memories().isEmpty() ? 0 : remaining * budget.memorySharePercent() / 100;
        int headerCost = in.memories().isEmpty() ? 0 : counter.count("\n\n" + MEMORIES_HEADER + "\n");
        List<RetrievedMessage> ranked = new ArrayList<>(in.memories());
        ranked.sort(Comparator.comparingDouble(RetrievedMessage::score).reversed()
                .thenComparing(r -> r.message().id(), Ids::compare));
        List<Message> chosen = new ArrayList<>();
        int memoryUsed = 0;
        if (memoryBudget > headerCost) {
            memoryUsed = headerCost;
            for (RetrievedMessage r : ranked) {
                int c = counter.count(memoryLine(r.message())) + 1;
                if (memoryUsed + c <= memoryBudget) {
                    chosen.add(r.message());
                    memoryUsed += c;
                }
            }
            if (chosen.isEmpty()) {
                memoryUsed = 0;
            }
        }
        chosen.sort(Comparator.comparing(Message::id, Ids::compare));

        // Recent window: newest first, contiguous.
        int recentBudget = remaining - memoryUsed;
        List<Message> recent = in.recent();
        int keepFrom = recent.size();
        int recentUsed = 0;
        for (int i = recent.size() - 1; i >= 0; i--) {
            int c = cost(render(recent.get(i)).content());
            if (recentUsed + c > recentBudget) {
                break;
            }
            recentUsed += c;
            keepFrom = i;
        }

        StringBuilder system = new StringBuilder(systemCore);
        if (!chosen.isEmpty()) {
            system.append("\n\n").append(MEMORIES_HEADER).append('\n');
            for (Message m : chosen) {
                system.append(memoryLine(m)).append('\n');
            }
        }
        List<ChatMessage> messages = new ArrayList<>();
        messages.add(ChatMessage.system(system.toString().strip()));
        for (int i = keepFrom; i < recent.size(); i++) {
            messages.add(render(recent.get(i)));
        }
        messages.add(ChatMessage.user(in.playerText()));
        int tokens = 0;
        for (ChatMessage m : messages) {
            tokens += cost(m.content());
        }
        List<UUID> used = chosen.stream().map(Message::id).toList();
        return new AssembledPrompt(messages, tokens, used, in.memories().size() - chosen.size(),
                recent.size() - keepFrom, keepFrom, stateTruncated);
    }

    private int cost(String content) {
        return counter.count(content) + PER_MESSAGE_OVERHEAD;
    }

    private static String systemCore(String persona, String rulesGuide, String state) {
        StringBuilder sb = new StringBuilder(persona.strip());
        if (!rulesGuide.isBlank()) {
            sb.append("\n\n").append(rulesGuide.strip());
        }
        if (!state.isBlank()) {
            sb.append("\n\n").append(STATE_HEADER).append('\n').append(state.strip());
        }
        return sb.toString();
    }

    static String memoryLine(Message m) {
        String who = switch (m.role()) {
            case PLAYER -> "Player";
            case DM -> "DM";
            case SYSTEM -> "Engine";
        };
        return "- " + who + ": " + m.content().strip().replace('\n', ' ');
    }

    private static ChatMessage render(Message m) {
        return switch (m.role()) {
            case PLAYER -> ChatMessage.user(m.content());
            case DM -> ChatMessage.assistant(m.content());
            case SYSTEM -> ChatMessage.user("[Game engine] " + m.content());
        };
    }

    /** The longest prefix of whole lines (or, failing that, characters) within the token budget. */
    private String cutToBudget(String text, int tokens) {
        String[] lines = text.split("\n", -1);
        StringBuilder sb = new StringBuilder();
        for (String line : lines) {
            String candidate = sb.isEmpty() ? line : sb + "\n" + line;
            if (counter.count(candidate) > tokens) {
                break;
            }
            sb.setLength(0);
            sb.append(candidate);
        }
        if (sb.isEmpty()) { // a single huge line: cut by characters
            int lo = 0;
            int hi = text.length();
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (counter.count(text.substring(0, mid)) <= tokens) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            return text.substring(0, lo);
        }
        return sb.toString();
    }
}
