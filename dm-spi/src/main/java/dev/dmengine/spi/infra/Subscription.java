package dev.dmengine.spi.infra;

/** A live subscription; closing it stops delivery. */
public interface Subscription extends AutoCloseable {

    @Override
    void close();
}
