package dev.dmengine.auth;

/**
 * What a new player gives to register. {@link #toString()} hides the password.
 *
 * @param email       any case, surrounding spaces allowed; normalised by the service
 * @param password    checked against {@link PasswordPolicy}
 * @param displayName how other players see them
 */
public record Registration(String email, String password, String displayName) {

    @Override
    public String toString() {
        return "Registration[displayName=" + displayName + "]";
    }
}
