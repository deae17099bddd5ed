package io.salespulse.contract;

import java.util.Locale;
import java.util.Optional;

/**
 * The five stage cards of the minimal sales unit, in process order. {@link #rank()} is the order:
 * a customer only ever moves to a higher rank within one opportunity.
 */
public enum Stage {
    CONTACT("contact", "客户接触", null),
    NEEDS("needs", "需求确认", "need"),
    PROPOSAL("proposal", "方案呈现", "proposal"),
    OBJECTION("objection", "异议处理", "objection_tag"),
    CLOSING("closing", "成交推动", "outcome");

    private final String code;
    private final String label;
    private final String requiredField;

    Stage(String code, String label, String requiredField) {
        this.code = code;
        this.label = label;
        this.requiredField = requiredField;
    }

    /** The contract's code, e.g. {@code needs}. */
    public String code() {
        return code;
    }

    /** The Chinese name managers see, e.g. 需求确认. */
    public String label() {
        return label;
    }

    /** The one field this card must carry, or null (contact has none). */
    public String requiredField() {
        return requiredField;
    }

    public int rank() {
        return ordinal();
    }

    /** The stage whose card is expected after this one (closing has none). */
    public Optional<Stage> next() {
        return this == CLOSING ? Optional.empty() : Optional.of(values()[ordinal() + 1]);
    }

    public static Optional<Stage> fromCode(String code) {
        if (code == null) {
            return Optional.empty();
        }
        for (Stage s : values()) {
            if (s.code.equals(code.toLowerCase(Locale.ROOT))) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    public static String codes() {
        StringBuilder sb = new StringBuilder();
        for (Stage s : values()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(s.code);
        }
        return sb.toString();
    }
}
