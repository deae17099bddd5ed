package io.salespulse.producers.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.salespulse.contract.ImportSession;
import io.salespulse.producers.gateway.GatewayPoster;
import io.salespulse.producers.gateway.ImportTopic;
import io.salespulse.producers.gateway.IngestGateway;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The importer's side of a session against the real gateway and broker, with a 3 s import timeout (renewal every
 * second): renewed while open, never renewed after it is complete, and noticed when it runs out.
 */
class GatewaySessionTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    @TempDir
    static Path tmp;

    private static ImportGateway importStack;

    @BeforeAll
    static void start() throws Exception {
        importStack = ImportGateway.prepare(tmp, TIMEOUT);
    }

    @AfterAll
    static void stop() {
        if (importStack != null) {
            importStack.close();
        }
    }

    @Test
    void renewedWhileOpenAndNotAfterItIsComplete() throws Exception {
        try (IngestGateway gateway = IngestGateway.start(importStack.config)) {
            GatewaySession session = GatewaySession.open(new GatewayPoster(gateway.url(), importStack.token, 3),
                    "renewal-test", "three seconds");
            session.renewInBackground();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (sessions("weijiang/renewal-test").size() < 3) {
                assertThat(System.nanoTime()).as("two renewals arrive").isLessThan(deadline);
                Thread.sleep(200);
            }
            session.checkOpen();
            session.complete(4, 5, 6);
            // Two renewal periods later the session must still be complete: renewal stopped before completion.
            Thread.sleep(2 * TIMEOUT.toMillis() / 3 + 500);

            List<ImportSession> written = sessions("weijiang/renewal-test");
            assertThat(written.subList(0, written.size() - 1)).extracting(ImportSession::status)
                    .containsOnly(ImportSession.Status.OPEN);
            ImportSession last = written.get(written.size() - 1);
            assertThat(last.status()).isEqualTo(ImportSession.Status.COMPLETE);
            assertThat(List.of(last.cards(), last.visits(), last.acks())).containsExactly(4L, 5L, 6L);
            assertThat(last.description()).isEqualTo("three seconds");
            assertThat(session.renewals()).isEqualTo(written.size() - 2);
        }
    }

    @Test
    void aSessionThatCannotBeRenewedRunsOut() throws Exception {
        GatewaySession session;
        try (IngestGateway gateway = IngestGateway.start(importStack.config)) {
            session = GatewaySession.open(new GatewayPoster(gateway.url(), importStack.token, 1), "runs-out", null);
            session.renewInBackground();
        }
        // The gateway is gone: every renewal fails, and the session runs out after the timeout.
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        ImportFailure failure = null;
        while (failure == null && System.nanoTime() < deadline) {
            try {
                session.checkOpen();
                Thread.sleep(200);
            } catch (ImportFailure e) {
                failure = e;
            }
        }
        session.close();
        assertThat(failure).isNotNull();
        assertThat(failure.getMessage()).contains("runs-out").contains("ran out").contains("unreachable");
        assertThatThrownBy(session::checkOpen).isInstanceOf(ImportFailure.class);
    }

    private static List<ImportSession> sessions(String key) throws Exception {
        return ImportTopic.sessions(importStack.kafka, key);
    }
}
