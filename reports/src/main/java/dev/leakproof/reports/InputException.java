package dev.leakproof.reports;

/**
 * An input the report tool cannot read: a missing file, malformed JSON, or a format or version it
 * does not know. The tool reports the message and exits with code 2.
 */
public final class InputException extends Exception {

    private static final long serialVersionUID = 1L;

    /** @param message names the file and what is wrong with it */
    public InputException(String message) {
        super(message);
    }

    /** @param message names the file and what is wrong with it; {@code cause} the underlying failure */
    public InputException(String message, Throwable cause) {
        super(message, cause);
    }
}
