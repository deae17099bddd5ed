package io.salespulse.pipeline.imports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.contract.ImportSession;
import io.salespulse.contract.InvalidEventException;
import io.salespulse.contract.Json;
import io.salespulse.pipeline.policy.PolicyUpdate;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * History imports as one operator sees them: the sessions of {@code sales.imports} in broadcast state (key
 * {@code tenant/import_id}, the same on every subtask, checkpointed), and when each import's records have all
 * been read.
 *
 * <p>The importer completes a session only after Kafka acknowledged every record of the import, so the
 * completion record's Kafka timestamp is later than every record's arrival time (allowing the jobs'
 * out-of-orderness for gateways whose clocks differ a little). An operator whose arrival clock (watermark) has
 * passed {@link #releaseAt} has therefore seen the whole import: what the import could change can now be
 * decided, once. An open session releases when it expires without renewal (abandoned: decide with what came),
 * and records naming an import no session announced (yet) release after {@code unannouncedTimeout}.
 *
 * <p>Sessions stay in state for {@link #KEEP} after they released, so late copies of an import's records (an
 * importer re-run) are recognized; after that they are live records like any other.
 */
public final class ImportGate implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ImportGate.class);

    public static final MapStateDescriptor<String, String> STATE =
            new MapStateDescriptor<>("import-sessions", Types.STRING, Types.STRING);
    static final long KEEP = Duration.ofDays(7).toMillis();
    /** Alerts decided at a release whose moment lies further back than this are about the past (origin history). */
    public static final long LIVE_WINDOW = Duration.ofHours(24).toMillis();

    private final long outOfOrdernessMs;
    private final long unannouncedTimeoutMs;
    private transient Map<String, ImportSession> sessions;

    public ImportGate(Duration outOfOrderness, Duration unannouncedTimeout) {
        this.outOfOrdernessMs = outOfOrderness.toMillis();
        this.unannouncedTimeoutMs = unannouncedTimeout.toMillis();
    }

    /**
     * Applies one {@code sales.imports} record. Returns the session, or null for a record that is not a session
     * (logged at WARN: only the gateway writes this topic) or that is older than what the state holds.
     */
    public ImportSession update(PolicyUpdate u, BroadcastState<String, String> state) throws Exception {
        load(state.immutableEntries());
        ImportSession s;
        try {
            s = ImportSession.parse(u.scope, u.value, u.publishedAt);
        } catch (InvalidEventException invalid) {
            LOG.warn("Ignoring record {} of the imports topic: {}", u, invalid.getMessage());
            return null;
        }
        ImportSession before = sessions.get(s.key());
        if (before != null && (before.publishedAt() > s.publishedAt()
                || (!before.isOpen() && s.isOpen()))) {
            return null; // a stale copy, or an importer re-run that reopens a completed import: the first completion counts
        }
        sessions.put(s.key(), s);
        ObjectNode n = (ObjectNode) Json.MAPPER.readTree(s.toJson());
        n.put("published_at", s.publishedAt());
        state.put(s.key(), n.toString());
        LOG.info("Import {} of tenant {} is {} (cards {}, visits {}, acks {})", s.importId(), s.tenant(),
                s.status().code(), s.cards(), s.visits(), s.acks());
        return s;
    }

    /**
     * The arrival time from which every record of import {@code importId} has been read: the completion record's
     * timestamp plus the out-of-orderness; the expiry of an open session; {@code firstSeen +
     * unannouncedTimeout} for an import no session announced.
     */
    public long releaseAt(String tenant, String importId, long firstSeen, Iterable<Map.Entry<String, String>> state)
            throws Exception {
        load(state);
        ImportSession s = sessions.get(ImportSession.key(tenant, importId));
        if (s == null) {
            return firstSeen + unannouncedTimeoutMs;
        }
        return s.isOpen() ? s.expiresAt() : s.publishedAt() + outOfOrdernessMs;
    }

    /**
     * When a record of an import was first seen, for counting the unannounced timeout: its arrival time, but never
     * before the operator's clock (nor, before the first watermark, the wall clock). A producer that writes history
     * straight into Kafka stamps records with their {@code occurred_at}, and after a start the job may read such a
     * record before the session's open record on the imports topic: counted from the old timestamp, the timeout
     * would have passed already and the record would be decided as a live late upload.
     */
    public static long seenAt(long arrival, long clock) {
        return Math.max(arrival, clock == Long.MIN_VALUE ? System.currentTimeMillis() : clock);
    }

    /** Whether the tenant has an import whose records may not all have been read at arrival time {@code clock}. */
    public boolean tenantImporting(String tenant, long clock, Iterable<Map.Entry<String, String>> state)
            throws Exception {
        load(state);
        for (ImportSession s : sessions.values()) {
            if (s.tenant().equals(tenant) && releaseAt(s) > clock) {
                return true;
            }
        }
        return false;
    }

    /** The release times of the sessions (by key) that release after {@code since} and at or before {@code clock}. */
    public Map<String, Long> releasedBetween(long since, long clock, Iterable<Map.Entry<String, String>> state)
            throws Exception {
        load(state);
        Map<String, Long> out = new HashMap<>();
        for (ImportSession s : sessions.values()) {
            long at = releaseAt(s);
            if (at > since && at <= clock) {
                out.put(s.key(), at);
            }
        }
        return out;
    }

    /** Forgets sessions released more than {@link #KEEP} before {@code clock}. */
    public void expire(long clock, BroadcastState<String, String> state) throws Exception {
        load(state.immutableEntries());
        List<String> gone = new ArrayList<>();
        for (ImportSession s : sessions.values()) {
            if (releaseAt(s) < clock - KEEP) {
                gone.add(s.key());
            }
        }
        for (String key : gone) {
            sessions.remove(key);
            state.remove(key);
        }
    }

    /** The arrival time from which every record of the session has been read (see {@link #releaseAt(String, String, long, Iterable)}). */
    public long releaseAt(ImportSession s) {
        return s.isOpen() ? s.expiresAt() : s.publishedAt() + outOfOrdernessMs;
    }

    /** Rebuilds the parsed sessions from the broadcast state on first use after a start or restore. */
    private void load(Iterable<Map.Entry<String, String>> state) throws Exception {
        if (sessions != null) {
            return;
        }
        sessions = new HashMap<>();
        for (Map.Entry<String, String> e : state) {
            JsonNode n = Json.MAPPER.readTree(e.getValue());
            ImportSession s = ImportSession.parse(e.getKey(), e.getValue().getBytes(StandardCharsets.UTF_8),
                    n.path("published_at").asLong());
            sessions.put(e.getKey(), s);
        }
    }
}
