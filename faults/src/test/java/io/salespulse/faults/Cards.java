package io.salespulse.faults;

import io.salespulse.pipeline.testing.History;

/** Stage cards as the field app writes them (contract JSON), for tests that post through the gateway. */
final class Cards {
    private Cards() {}

    /** A card of tenant {@code tenant}; {@code extra} is appended inside the object, e.g. {@code "need":"x"}. */
    static String card(String tenant, String eventId, String customer, String stage, long at, String extra) {
        return "{\"event_id\":\"" + eventId + "\",\"tenant\":\"" + tenant + "\",\"occurred_at\":\"" + History.iso(at)
                + "\",\"customer_id\":\"" + customer + "\",\"rep_id\":\"r-017\",\"region\":\"hz-west\","
                + "\"team\":\"t-3\",\"stage\":\"" + stage + "\"" + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    static String contact(String tenant, String eventId, String customer, long at) {
        return card(tenant, eventId, customer, "contact", at, "");
    }
}
