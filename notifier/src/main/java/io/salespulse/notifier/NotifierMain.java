package io.salespulse.notifier;

import io.salespulse.contract.settings.SettingsException;
import io.salespulse.contract.settings.SettingsUsage;
import io.salespulse.notifier.config.NotifierConfig;
import io.salespulse.notifier.config.NotifierConfigException;
import io.salespulse.notifier.delivery.RobotDispatcher;
import io.salespulse.notifier.routing.Route;
import io.salespulse.notifier.routing.RoutingFile;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Entry point of the notifier service ({@code bin/salespulse run notifier}, the compose service). */
public final class NotifierMain {
    private static final Logger LOG = LoggerFactory.getLogger(NotifierMain.class);

    private NotifierMain() {}

    /**
     * The compose service's entry point. {@code --help} prints the usage and every setting and exits 0; a bad setting
     * or routing file prints one line naming it and exits 2; a notifier that stops on a failure exits 1.
     */
    public static void main(String[] args) throws Exception {
        if (SettingsUsage.wantsHelp(args)) {
            System.out.print(usage());
            System.out.flush();
            return;
        }
        NotifierConfig config;
        try {
            config = NotifierConfig.load(args, System.getenv());
        } catch (SettingsException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
            return;
        }
        try {
            run(config);
        } catch (NotifierConfigException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
        } catch (NotifierStopped e) {
            // Exit, so that a supervisor (compose's restart policy) starts a new one.
            System.err.println("error: " + e.getMessage());
            System.exit(1);
        }
    }

    /** For {@code bin/salespulse run notifier}: takes the shared settings from the monitor's flag list. */
    public static void mainWithJobSettings(String[] args) throws Exception {
        run(NotifierConfig.loadIgnoringOtherFlags(args, System.getenv()));
    }

    /** The {@code --help} text: what the notifier does, its endpoints and every setting from the settings model. */
    public static String usage() {
        return SettingsUsage.render("java -cp <salespulse-cli.jar:lib/*> io.salespulse.notifier.NotifierMain"
                        + " [--<setting> <value>]...  (or: bin/salespulse run notifier)",
                List.of("Delivers topic.alerts to WeCom group robots (routing, rate limits, digests, retries), records each"
                        + " delivery in ClickHouse,",
                        "raises escalations, and serves on notifier.ack-host:notifier.ack-port:",
                        "  GET|POST /alert the alert page the messages link to (signed links: GET shows, POST acts)",
                        "  GET /healthz    200 {\"status\":\"ok\",...}; 503 {\"status\":\"degraded\",...} naming what is"
                                + " wrong",
                        "  GET /metrics    Prometheus text format",
                        "  POST /ops/alertmanager   Alertmanager's webhook, posted to the route notifier.ops-route",
                        "A route's webhook key comes from env SALESPULSE_WECOM_KEY_<ROUTE> (or the route's key_env) or"
                                + " the secrets file."),
                NotifierConfig.SCHEMA.settings(),
                List.of("Flags are --name value or --name=value, by flag or dotted key (--notifier.routes=f).",
                        "More: docs/notifier.md; all settings: docs/configuration.md."));
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
            // Stop the HTTP server too: its thread would otherwise keep the JVM (and a dead notifier) alive.
            notifier.close();
            throw new NotifierStopped(notifier.failure());
        }
    }

    /** The delivery thread stopped on a failure. */
    static final class NotifierStopped extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        NotifierStopped(Throwable cause) {
            super("The notifier stopped: " + cause.getMessage(), cause);
        }
    }
}
