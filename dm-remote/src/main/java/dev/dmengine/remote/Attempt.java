package dev.dmengine.remote;

/** One attempt of a remote call; {@code attempt} counts from 1. */
@FunctionalInterface
public interface Attempt<T> {

    T run(int attempt) throws AttemptFailure;
}
