package io.salespulse.notifier.delivery;

import java.time.Instant;

/** One (alert, route) row of the delivery ledger ({@code salespulse.alert_deliveries}). */
public final class Delivery {
    public enum Status {
        SENDING, DELIVERED, DIGESTED, FAILED, UNCERTAIN,
        /** An imported history's alert about the past: recorded, never posted. */
        SKIPPED_HISTORY,
        /** A retraction withdrew the alert while it still waited for its robot: never posted. */
        RETRACTED_BEFORE_DELIVERY,
        /** A retraction whose alert no group saw (never posted, or dropped while waiting): nothing posted. */
        NOTHING_TO_RETRACT,
        /**
         * A silence (alert_silences) matched the alert: recorded, not posted; posted when the silence ends if the
         * alert is still open ({@code held_until} = the silence's end).
         */
        SILENCED,
        /**
         * Held for later: outside the tenant's working hours (quiet hours) or grouped by an inhibition rule; posted
         * at {@code held_until} in one grouped message per route if the alert is still open.
         */
        HELD;

        public String code() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Status of(String code) {
            return valueOf(code.toUpperCase(java.util.Locale.ROOT));
        }

        /** Nothing more will be posted for a delivery in this state. */
        public boolean settled() {
            return this != SENDING;
        }

        /** The group saw (or may have seen: uncertain) the message, so a retraction of it must follow. */
        public boolean posted() {
            return this == DELIVERED || this == DIGESTED || this == UNCERTAIN;
        }
    }

    public final NotifierAlert alert;
    public final String route;
    /** Kafka coordinates and timestamp of the alert record. */
    public final String topic;
    public final int partition;
    public final long offset;
    public final Instant receivedAt;
    public final byte[] raw;

    public Status status = Status.SENDING;
    public int attempts;
    public String digestId = "";
    public String errorCode = "";
    public String error = "";
    public Instant firstAttemptAt;
    public Instant deliveredAt;
    /** Why the message was held ({@code quiet_hours}, {@code silenced}, {@code inhibited}); kept after it went out. */
    public String heldReason = "";
    /** When the hold ends; null when never held. */
    public Instant heldUntil;
    /** Deadline of the action the alert asks for, set when its message went out (funnel_drop, coaching). */
    public Instant actionDueAt;
    /** Read back from a hold in the ledger (no Kafka record behind it: nothing to commit). */
    public boolean released;

    public Delivery(NotifierAlert alert, String route, String topic, int partition, long offset, Instant receivedAt, byte[] raw) {
        this.alert = alert;
        this.route = route;
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.receivedAt = receivedAt;
        this.raw = raw;
    }

    /** The same alert record, delivered to {@code to}. */
    public Delivery onRoute(String to) {
        return new Delivery(alert, to, topic, partition, offset, receivedAt, raw);
    }

    /**
     * Makes this a decision instead of a post (skipped, withdrawn): {@code reason} goes to the ledger's error_code,
     * {@code detail} to its error column.
     */
    public Delivery decide(Status decision, String reason, String detail) {
        status = decision;
        errorCode = reason;
        error = detail;
        return this;
    }

    /**
     * Holds the message until {@code until} instead of posting it: {@code status} is {@link Status#SILENCED} or
     * {@link Status#HELD}, {@code reason} a held_reason code, {@code detail} says which silence, calendar or rule.
     */
    public Delivery hold(Status status, String reason, Instant until, String detail) {
        heldReason = reason;
        heldUntil = until;
        return decide(status, reason, detail);
    }

    /** The alert record kept in the ledger while held (the one read from Kafka, or the released one again). */
    public String heldAlert() {
        return status == Status.SILENCED || status == Status.HELD
                ? new String(raw == null ? new byte[0] : raw, java.nio.charset.StandardCharsets.UTF_8) : "";
    }

    public Long latencyMs() {
        return deliveredAt == null ? null : deliveredAt.toEpochMilli() - receivedAt.toEpochMilli();
    }
}
