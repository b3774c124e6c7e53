package dev.dmengine.spi.generation;

/**
 * Estimates how many tokens a text costs a model. Prompt budgets use it, so an estimate
 * must never be lower than the model's real count by much: err high.
 */
@FunctionalInterface
public interface TokenCounter {

    int count(String text);
}
