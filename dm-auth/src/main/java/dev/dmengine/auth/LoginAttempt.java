package dev.dmengine.auth;

/**
 * One login: the credentials, where from, and the device token the client holds for the
 * account, if any. {@link #toString()} hides the password and the device token.
 *
 * @param email       any case, surrounding spaces allowed; normalised by the service
 * @param password    as typed
 * @param clientIp    the client's address as the host determined it (rate limits, audit)
 * @param deviceToken the {@link DeviceToken#value()} of an earlier successful login on this
 *                    client, or {@code null}; an invalid, expired or foreign one counts as none
 */
public record LoginAttempt(String email, String password, String clientIp, String deviceToken) {

    /** A login without a device token. */
    public static LoginAttempt of(String email, String password, String clientIp) {
        return new LoginAttempt(email, password, clientIp, null);
    }

    /** The same attempt presenting a device token. */
    public LoginAttempt withDeviceToken(String token) {
        return new LoginAttempt(email, password, clientIp, token);
    }

    @Override
    public String toString() {
        return "LoginAttempt[clientIp=" + clientIp + ", deviceToken=" + (deviceToken == null ? "none" : "given") + "]";
    }
}
