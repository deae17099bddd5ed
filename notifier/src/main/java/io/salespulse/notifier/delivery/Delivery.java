package io.salespulse.notifier.delivery;

import java.time.Instant;

/** One (alert, route) row of the delivery ledger ({@code salespulse.alert_deliveries}). */
public final class Delivery {
    public enum Status { SENDING, DELIVERED, DIGESTED, FAILED, UNCERTAIN;

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

    public Long latencyMs() {
        return deliveredAt == null ? null : deliveredAt.toEpochMilli() - receivedAt.toEpochMilli();
    }
}
