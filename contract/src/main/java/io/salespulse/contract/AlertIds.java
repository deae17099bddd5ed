package io.salespulse.contract;

import java.time.Instant;

/**
 * Deterministic alert ids: the same alert computed twice (a replay, a retry, a restore) gets the same
 * id, so every consumer can de-duplicate on it.
 */
public final class AlertIds {
    private AlertIds() {}

    /** {@code stage_overdue:<tenant>:<customer>:<stage>:<due_at as ISO-8601 UTC>}. */
    public static String stageOverdue(String tenant, String customerId, String stage, Instant dueAt) {
        return "stage_overdue:" + tenant + ":" + customerId + ":" + stage + ":" + dueAt;
    }

    /** {@code receivable_overdue:<tenant>:<invoice_id>}: an invoice has one due date, so at most one such alert. */
    public static String receivableOverdue(String tenant, String invoiceId) {
        return "receivable_overdue:" + tenant + ":" + invoiceId;
    }
}
