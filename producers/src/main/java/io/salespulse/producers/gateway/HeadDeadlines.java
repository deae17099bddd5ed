package io.salespulse.producers.gateway;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Connection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes connections that trickle a request head (slowloris). Jetty parses heads without a thread, so a slow
 * head costs only memory, but the idle timeout notices silence, not slowness: a byte every few seconds would
 * keep a connection open forever.
 *
 * <p>Between requests (from the connection's opening, and again once a request is answered) every connection
 * is looked at every half request timeout. The first look that finds new bytes marks the start of a head; if
 * the head is still not complete two looks later, the connection is closed. So a head gets between one and one
 * and a half timeouts after its first byte, and a connection with no bytes at all is left to the idle timeout.
 * A complete head ({@link #headArrived}) ends the watch; the body has its own deadline ({@link BodyReader}).
 */
final class HeadDeadlines implements Connection.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(HeadDeadlines.class);

    private final long timeoutMillis;
    private final long lookEveryMillis;
    private final ScheduledExecutorService timers;
    private final Runnable onCut;
    /** The connections between requests, with their watch; a connection leaves when a head arrives or it closes. */
    private final Map<Connection, Watch> watched = new ConcurrentHashMap<>();

    /** @param onCut run for every connection closed for a slow head (counts it) */
    HeadDeadlines(Duration timeout, ScheduledExecutorService timers, Runnable onCut) {
        this.timeoutMillis = timeout.toMillis();
        this.lookEveryMillis = Math.max(1, timeoutMillis / 2);
        this.timers = timers;
        this.onCut = onCut;
    }

    @Override
    public void onOpened(Connection connection) {
        watch(connection);
    }

    @Override
    public void onClosed(Connection connection) {
        Watch w = watched.remove(connection);
        if (w != null) {
            w.stop();
        }
    }

    /** The connection delivered a complete head: it is in a request now. */
    void headArrived(Connection connection) {
        Watch w = watched.remove(connection);
        if (w != null) {
            w.stop();
        }
    }

    /** The connection's request is answered; it may stay open for the next one. */
    void answered(Connection connection) {
        if (connection.getEndPoint().isOpen()) {
            watch(connection);
        }
    }

    private void watch(Connection connection) {
        Watch w = new Watch(connection);
        Watch before = watched.put(connection, w);
        if (before != null) {
            before.stop();
        }
        w.schedule();
    }

    private final class Watch implements Runnable {
        private final Connection connection;
        private final long bytesAtStart;
        /** Looks since the one that found the first bytes of a head; -1 while none have come. */
        private int looksIntoHead = -1;
        private boolean stopped;
        private ScheduledFuture<?> next;

        Watch(Connection connection) {
            this.connection = connection;
            this.bytesAtStart = connection.getBytesIn();
        }

        synchronized void schedule() {
            if (!stopped) {
                next = timers.schedule(this, lookEveryMillis, TimeUnit.MILLISECONDS);
            }
        }

        synchronized void stop() {
            stopped = true;
            if (next != null) {
                next.cancel(false);
            }
        }

        @Override
        public synchronized void run() {
            if (stopped) {
                return;
            }
            if (!connection.getEndPoint().isOpen()) {
                watched.remove(connection, this);
                return;
            }
            if (looksIntoHead >= 0) {
                looksIntoHead++;
            } else if (connection.getBytesIn() != bytesAtStart) {
                looksIntoHead = 0;
            }
            if (looksIntoHead == 2) {
                stopped = true;
                watched.remove(connection, this);
                onCut.run();
                LOG.info("event=slow_request_cut part=head remote={} timeout_ms={}",
                        connection.getEndPoint().getRemoteSocketAddress(), timeoutMillis);
                connection.close();
                return;
            }
            next = timers.schedule(this, lookEveryMillis, TimeUnit.MILLISECONDS);
        }
    }
}
