package dev.dmengine.auth;

import dev.dmengine.spi.UnauthenticatedException;

/**
 * A login failed (401). The one message for an unknown email and a wrong password, so that
 * the answer does not tell whether an account exists.
 */
public final class InvalidCredentialsException extends UnauthenticatedException {

    public static final String MESSAGE = "the email or password is wrong";

    InvalidCredentialsException() {
        super(MESSAGE);
    }
}
