package dev.dmengine.core.turn;

import dev.dmengine.core.DmEngine;
import dev.dmengine.core.prompt.PromptAssembler;
import dev.dmengine.spi.generation.TokenCounter;

/** Builds a {@link TurnEngine} from wired ports; {@link DmEngine} is the usual way in. */
public final class TurnEngines {

    private TurnEngines() {
    }

    public static TurnEngine create(DmEngine.Ports p, TurnRules rules, TokenCounter counter, TurnConfig config) {
        return new TurnEngine(p.sessionStore(), p.characterStore(), p.messageStore(), p.turnStore(), p.embedder(),
                p.vectorIndex(), p.languageModel(), p.rateLimiter(), p.cache(), p.eventBus(), p.transactor(), rules,
                new PromptAssembler(counter, config.budget()), config, p.clock());
    }
}
