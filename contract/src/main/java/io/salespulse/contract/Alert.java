package io.salespulse.contract;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Objects;

/**
 * An alert on {@code sales.alerts}. Everything but {@link #emittedAt} is a function of the input
 * events, so a replay produces the same alert (same id, same content).
 */
public class Alert {
    public String alertId;
    /**
     * {@code stage_overdue}, {@code escalation}, {@code funnel_drop}, {@code funnel_recovery}, {@code coaching}, {@code digest}, and
     * {@code retraction}: a later-arriving record proved the alert named by {@link #retracts} wrong.
     */
    public String type;
    /** {@code high} for high-potential customers, else {@code normal}. */
    public String severity;
    public String tenant;
    public String region;
    public String team;
    public String repId;
    public String customerId;
    public String stage;
    /** Epoch ms; 0 when the alert type has no due time. */
    public long dueAt;
    /** The event-time moment the rule fired (for stage_overdue: the due time). Deterministic. */
    public long firedAt;
    /** Wall-clock time the pipeline emitted it; informational only, differs between replays. */
    public long emittedAt;
    public String title;
    public String message;
    public String suggestion;
    /**
     * {@link #LIVE} for alerts about the present, {@link #HISTORY} for alerts that an imported history produced
     * about the past (kept for the record and the dashboards; the notifier does not post them).
     */
    public String origin = LIVE;
    /** For {@code retraction}: the id of the alert it withdraws; null otherwise. */
    public String retracts;

    public static final String LIVE = "live";
    public static final String HISTORY = "history";
    public static final String RETRACTION = "retraction";

    public Alert() {}

    /** The id of the retraction of alert {@code alertId}. */
    public static String retractionId(String alertId) {
        return "retraction:" + alertId;
    }

    /** The contract's JSON form ({@code sales.alerts} value). */
    public byte[] toJson() {
        // Streamed, not built as a tree: one alert per overdue customer makes this a hot path.
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("alert_id", alertId);
            g.writeStringField("type", type);
            g.writeStringField("severity", severity);
            g.writeStringField("tenant", tenant);
            g.writeStringField("region", region);
            g.writeStringField("team", team);
            g.writeStringField("rep_id", repId);
            g.writeStringField("customer_id", customerId);
            g.writeStringField("stage", stage);
            if (dueAt != 0) {
                g.writeStringField("due_at", Instant.ofEpochMilli(dueAt).toString());
            }
            g.writeStringField("fired_at", Instant.ofEpochMilli(firedAt).toString());
            g.writeStringField("emitted_at", Instant.ofEpochMilli(emittedAt).toString());
            g.writeStringField("title", title);
            g.writeStringField("message", message);
            g.writeStringField("suggestion", suggestion);
            g.writeStringField("origin", origin == null ? LIVE : origin);
            if (retracts != null) {
                g.writeStringField("retracts", retracts);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // an in-memory stream does not fail
        }
        return out.toByteArray();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Alert)) return false;
        Alert a = (Alert) o;
        return dueAt == a.dueAt && firedAt == a.firedAt && emittedAt == a.emittedAt
                && Objects.equals(alertId, a.alertId) && Objects.equals(type, a.type)
                && Objects.equals(severity, a.severity) && Objects.equals(tenant, a.tenant)
                && Objects.equals(region, a.region) && Objects.equals(team, a.team)
                && Objects.equals(repId, a.repId) && Objects.equals(customerId, a.customerId)
                && Objects.equals(stage, a.stage) && Objects.equals(title, a.title)
                && Objects.equals(message, a.message) && Objects.equals(suggestion, a.suggestion)
                && Objects.equals(origin, a.origin) && Objects.equals(retracts, a.retracts);
    }

    @Override
    public int hashCode() {
        return Objects.hash(alertId);
    }

    @Override
    public String toString() {
        return "Alert{" + alertId + " " + severity + " " + title + "}";
    }
}
