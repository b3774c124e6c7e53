package dev.dmengine.spi;

/**
 * The thing asked for does not exist, or is not visible to the caller. Ownership failures
 * are reported as not found so that ids of other players' things leak nothing.
 */
public final class NotFoundException extends NonRetriableException {

    private final String kind;
    private final String id;

    public NotFoundException(String kind, Object id) {
        super(kind + " " + id + " was not found", null);
        this.kind = kind;
        this.id = String.valueOf(id);
    }

    /** What kind of thing was missing, e.g. {@code "session"}. */
    public String kind() {
        return kind;
    }

    public String id() {
        return id;
    }
}
