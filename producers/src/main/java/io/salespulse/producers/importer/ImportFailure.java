package io.salespulse.producers.importer;

/** An import that cannot go on, with a message that says what happened and what to do; no stack trace needed. */
public final class ImportFailure extends Exception {
    private static final long serialVersionUID = 1L;

    public ImportFailure(String message) {
        super(message);
    }

    public ImportFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
