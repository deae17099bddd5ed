package io.salespulse.contract;

/**
 * Why an input record does not meet the contract. {@link #code()} is a stable category for counting
 * (dead letters by reason); the message says in plain words what to fix, naming the field.
 */
public final class InvalidEventException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String code;

    public InvalidEventException(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
