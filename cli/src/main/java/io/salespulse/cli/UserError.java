package io.salespulse.cli;

/**
 * A failure the user can fix from the message alone (wrong job name, nothing listening, a directory
 * that is not ours): printed as one line, without a stack trace.
 */
final class UserError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    UserError(String message) {
        this(message, 1);
    }

    UserError(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
