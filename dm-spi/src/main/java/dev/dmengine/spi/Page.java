package dev.dmengine.spi;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One page of a listing and the opaque cursor of the next one ({@code null} on the last
 * page).
 */
public record Page<T>(List<T> items, String nextCursor) {

    public Page {
        items = List.copyOf(Objects.requireNonNull(items, "items"));
    }

    public Optional<String> next() {
        return Optional.ofNullable(nextCursor);
    }
}
