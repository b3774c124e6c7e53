package dev.dmengine.spi.infra;

/** Receives a subscription's events, one at a time, in id order. */
@FunctionalInterface
public interface EventListener {

    void onEvent(Event event);
}
