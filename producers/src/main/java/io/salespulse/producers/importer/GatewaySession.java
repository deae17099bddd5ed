package io.salespulse.producers.importer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.contract.Json;
import io.salespulse.producers.gateway.GatewayPoster;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An import session on the gateway, from the importer's side: opened with {@code POST /v1/imports}, renewed in the
 * background every third of the gateway's import timeout while records are sent, completed with the counts.
 *
 * <p>The timeout is read off the gateway's answer, {@code expires_at - renew_before} = two thirds of it, so a clock
 * that differs from the gateway's does not shorten or stretch the renewals. Renewal stops, and waits for a renewal
 * under way, before the session is completed: a renewal arriving after the completion would open it again.
 *
 * <p>Used by the importer and by the simulator's gateway sink (the history part of a simulated run).
 */
public final class GatewaySession implements AutoCloseable {
    static final String IMPORTS = "/v1/imports";

    private final GatewayPoster gateway;
    private final String importId;
    private final String description;
    private final long renewEveryMillis;
    private final AtomicLong renewals = new AtomicLong();
    /** When the session runs out by this machine's clock, a little before the gateway's expires_at. */
    private volatile long expiresAt;
    private volatile String renewalProblem;
    private ScheduledExecutorService renewer;

    private GatewaySession(GatewayPoster gateway, String importId, String description, long renewEveryMillis,
            long expiresAt) {
        this.gateway = gateway;
        this.importId = importId;
        this.description = description;
        this.renewEveryMillis = renewEveryMillis;
        this.expiresAt = expiresAt;
    }

    /** Opens (or renews) the session {@code importId}. */
    public static GatewaySession open(GatewayPoster gateway, String importId, String description)
            throws ImportFailure, IOException, InterruptedException {
        long sent = System.currentTimeMillis();
        Opened o = post(gateway, importId, description);
        return new GatewaySession(gateway, importId, description, Math.max(100, o.timeoutMillis / 3),
                sent + o.timeoutMillis);
    }

    /** Renewals the gateway acknowledged so far. */
    public long renewals() {
        return renewals.get();
    }

    /** Starts renewing every third of the timeout, on a thread of its own, until {@link #complete} or close. */
    public synchronized void renewInBackground() {
        if (renewer != null) {
            return;
        }
        renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "import-session-renewal");
            t.setDaemon(true);
            return t;
        });
        renewer.scheduleWithFixedDelay(this::renew, renewEveryMillis, renewEveryMillis, TimeUnit.MILLISECONDS);
    }

    /** Fails once the session has run out without a renewal: what is sent after that would not be held. */
    public void checkOpen() throws ImportFailure {
        if (System.currentTimeMillis() >= expiresAt) {
            throw new ImportFailure("the import session " + importId + " ran out at " + Instant.ofEpochMilli(expiresAt)
                    + " because it could not be renewed"
                    + (renewalProblem == null ? "" : " (" + renewalProblem + ")"));
        }
    }

    /** Stops renewing, then writes the session complete with the counts the gateway accepted. */
    public void complete(long cards, long visits, long acks) throws ImportFailure, IOException, InterruptedException {
        stopRenewing();
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("cards", cards);
        body.put("visits", visits);
        body.put("acks", acks);
        body.put("description", description);
        HttpResponse<byte[]> r = gateway.post(IMPORTS + "/" + importId + "/complete", Json.bytes(body));
        if (r.statusCode() != 202) {
            throw refused("complete", r);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopRenewing();
    }

    private synchronized void stopRenewing() throws InterruptedException {
        if (renewer != null) {
            renewer.shutdown();
            // A renewal under way may retry for a while; it must be over before the completion is written.
            if (!renewer.awaitTermination(10, TimeUnit.MINUTES)) {
                renewer.shutdownNow();
            }
        }
    }

    private void renew() {
        long sent = System.currentTimeMillis();
        try {
            Opened o = post(gateway, importId, description);
            expiresAt = sent + o.timeoutMillis;
            renewals.incrementAndGet();
            renewalProblem = null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | ImportFailure | RuntimeException e) {
            // Tried again at the next turn; the sender stops once the session has run out (checkOpen).
            renewalProblem = e.getMessage();
        }
    }

    /** What an open answer tells: the timeout, from expires_at - renew_before (= 2/3 of it). */
    private record Opened(long timeoutMillis) {}

    private static Opened post(GatewayPoster gateway, String importId, String description)
            throws ImportFailure, IOException, InterruptedException {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("import_id", importId);
        body.put("description", description);
        HttpResponse<byte[]> r = gateway.post(IMPORTS, Json.bytes(body));
        if (r.statusCode() != 201) {
            throw refused("open", r);
        }
        try {
            JsonNode n = Json.MAPPER.readTree(r.body());
            long expires = Instant.parse(n.path("expires_at").asText()).toEpochMilli();
            long renewBefore = Instant.parse(n.path("renew_before").asText()).toEpochMilli();
            return new Opened(Math.max(0, expires - renewBefore) * 3 / 2);
        } catch (IOException | DateTimeParseException e) {
            throw new ImportFailure("the gateway's answer to opening import " + importId + " has no expires_at and "
                    + "renew_before: " + new String(r.body(), StandardCharsets.UTF_8), e);
        }
    }

    private static ImportFailure refused(String what, HttpResponse<byte[]> r) {
        String code = GatewayPoster.firstErrorCode(r);
        String hint = r.statusCode() == 401 ? " (check the token: SALESPULSE_GATEWAY_TOKEN or --token-file)" : "";
        return new ImportFailure("the gateway refused to " + what + " the import session (" + r.statusCode() + " "
                + code + ")" + hint + ": " + new String(r.body(), StandardCharsets.UTF_8));
    }
}
