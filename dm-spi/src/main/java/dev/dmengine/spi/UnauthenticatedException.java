package dev.dmengine.spi;

/**
 * The caller could not be authenticated: no credentials, wrong credentials, or a token that
 * is malformed, forged, expired or revoked. The host answers 401 (with a
 * {@code WWW-Authenticate} challenge for bearer tokens); a caller that is known but may not
 * act is a {@link PermissionDeniedException} instead.
 *
 * <p>Not final so that the component that authenticates can name its cases (bad password,
 * bad token) while every host maps the whole family to one status. Messages are shown to
 * clients: they must never contain a credential, and they must not tell an unknown account
 * from a wrong password.
 */
public non-sealed class UnauthenticatedException extends NonRetriableException {

    public UnauthenticatedException(String message) {
        super(message, null);
    }

    public UnauthenticatedException(String message, Throwable cause) {
        super(message, cause);
    }
}
