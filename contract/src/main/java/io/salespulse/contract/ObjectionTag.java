package io.salespulse.contract;

import java.util.Optional;

/** The six preset objection tags of the objection card. */
public enum ObjectionTag {
    PRICE_HIGH("price_high", "价格比竞品高"),
    DELIVERY_TIME("delivery_time", "配送时效没保障"),
    QUALITY_DOUBT("quality_doubt", "质量顾虑"),
    COMPETITOR_CONTRACT("competitor_contract", "已有竞品合同"),
    PAYMENT_TERMS("payment_terms", "账期/付款条件"),
    NO_BUDGET("no_budget", "预算/时机未到");

    private final String code;
    private final String label;

    ObjectionTag(String code, String label) {
        this.code = code;
        this.label = label;
    }

    public String code() {
        return code;
    }

    public String label() {
        return label;
    }

    public static Optional<ObjectionTag> fromCode(String code) {
        for (ObjectionTag t : values()) {
            if (t.code.equals(code)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    public static String codes() {
        StringBuilder sb = new StringBuilder();
        for (ObjectionTag t : values()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(t.code);
        }
        return sb.toString();
    }
}
