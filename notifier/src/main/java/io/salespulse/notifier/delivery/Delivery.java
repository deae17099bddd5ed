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
        /** A silence (alert_silences) matched the alert when it was read: recorded, not posted. */
        SILENCED;

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

    public Long latencyMs() {
        return deliveredAt == null ? null : deliveredAt.toEpochMilli() - receivedAt.toEpochMilli();
    }
}
