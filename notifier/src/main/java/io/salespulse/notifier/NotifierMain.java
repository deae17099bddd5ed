package io.salespulse.notifier;

import io.salespulse.notifier.config.NotifierConfig;
import io.salespulse.notifier.delivery.RobotDispatcher;
import io.salespulse.notifier.routing.Route;
import io.salespulse.notifier.routing.RoutingFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Entry point of the notifier service ({@code bin/salespulse run notifier}, the compose service). */
public final class NotifierMain {
    private static final Logger LOG = LoggerFactory.getLogger(NotifierMain.class);

    private NotifierMain() {}

    public static void main(String[] args) throws Exception {
        run(NotifierConfig.load(args, System.getenv()));
    }

    /** For {@code bin/salespulse run notifier}: takes the shared settings from the monitor's flag list. */
    public static void mainWithJobSettings(String[] args) throws Exception {
        run(NotifierConfig.loadIgnoringOtherFlags(args, System.getenv()));
    }

    private static void run(NotifierConfig config) throws Exception {
        // Both fail with a message naming the bad key before anything is read or sent.
        RoutingFile routing = RoutingFile.load(config.routesFile, config.secretsFile, System.getenv());
        LOG.info("Notifier settings: {}", String.join(", ", config.describe()));
        LOG.info("Routes from {}: {} (keys loaded, not shown)", config.routesFile,
                routing.current().rules().routes().stream().map(Route::name).toList());
        WeComNotifier notifier = WeComNotifier.start(config, routing, NotifierTime.SYSTEM, RobotDispatcher.PostObserver.NONE);
        LOG.info("Delivering {} to WeCom; ack endpoint, /healthz and /metrics on {}:{}", config.topicAlerts,
                config.ackHost, notifier.ackPort());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                notifier.close();
            } catch (Exception e) {
                LOG.warn("Stopping the notifier: {}", e.toString());
            }
        }, "notifier-stop"));
        notifier.awaitStopped();
        if (notifier.failure() != null) {
            throw new IllegalStateException("The notifier stopped: " + notifier.failure().getMessage(), notifier.failure());
        }
    }
}
