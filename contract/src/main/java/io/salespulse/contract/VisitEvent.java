package io.salespulse.contract;

/** A visit / check-in from {@code sales.visits}, validated. Flink POJO; times in epoch ms UTC. */
public class VisitEvent {
    public String eventId;
    public String tenant;
    public long occurredAt;
    public String repId;
    public String customerId;
    public String storeId;
    public String region;
    public String team;
    /** {@code store_scan}, {@code online}, {@code phone} or {@code video}. */
    public String channel;
    public Double lat;
    public Double lon;
    public String photo;
    /** The history import this record belongs to ({@code import_id}), null for live records. */
    public String importId;
    /** Radius in metres of the position's uncertainty as the phone reports it (0..10,000); only with lat/lon. */
    public Double accuracy;

    public VisitEvent() {}

    @Override
    public String toString() {
        return "VisitEvent{" + eventId + " " + tenant + "/" + customerId + " " + channel + " @" + occurredAt + "}";
    }
}
