package io.salespulse.notifier.wecom;

/**
 * What one post to a robot came to. {@code code} is machine-readable and safe to store: {@code ok},
 * {@code wecom_<errcode>}, {@code http_<status>}, {@code timeout}, {@code io_error}.
 */
public record WeComResult(Kind kind, String code, String detail) {
    public enum Kind {
        DELIVERED,
        /** 45009, HTTP 429 / 5xx, timeouts, connection errors: try again later. */
        RETRY,
        /** Invalid key (93000), too long (40058), a malformed request...: retrying cannot help. */
        PERMANENT
    }

    public static WeComResult delivered() {
        return new WeComResult(Kind.DELIVERED, "ok", "");
    }

    public boolean rateLimited() {
        return "wecom_45009".equals(code) || "http_429".equals(code);
    }
}
