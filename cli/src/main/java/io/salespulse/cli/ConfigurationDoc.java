package io.salespulse.cli;

import io.salespulse.contract.settings.SettingKey;
import io.salespulse.notifier.config.NotifierConfig;
import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.config.Setting;
import io.salespulse.producers.gateway.GatewayConfig;
import java.util.Collection;
import java.util.List;

/**
 * docs/configuration.md, written from the settings the services declare (the jobs' {@link Setting}, the
 * gateway's and the notifier's lists, {@link CliSettings}): {@code bin/salespulse docs configuration}.
 */
final class ConfigurationDoc {
    static final String REGENERATE = "bin/salespulse docs configuration > docs/configuration.md";

    private ConfigurationDoc() {}

    static String markdown() {
        List<Setting> monitor = PipelineConfig.SCHEMA.settings().stream()
                .filter(s -> !Setting.funnelOnly().contains(s)).toList();
        StringBuilder md = new StringBuilder();
        md.append("""
                # Configuration

                <!-- Generated from the settings the code declares: %s
                     ConfigurationDocTest fails when this file differs from it. Do not edit by hand. -->

                Every SalesPulse service reads its settings the same way.

                - **Names.** A setting has a dotted key, e.g. `sla.needs`. Its flag is the key with dashes,
                  `--sla-needs 72h` (also `--sla-needs=72h` or `--sla.needs=72h`), and its environment variable is
                  `SALESPULSE_` and the key in capitals, `SALESPULSE_SLA_NEEDS`. The gateway's own settings keep
                  their short flags (`--port` for `gateway.port`).
                - **Precedence.** A flag wins over the environment, which wins over the default.
                - **Checked at start-up.** A bad value stops the service before it reads or writes anything, with one
                  line naming the key, flag and variable, e.g.
                  `error: Invalid setting sla.needs (flag --sla-needs, env SALESPULSE_SLA_NEEDS) = 'soon': 'soon' is
                  not a duration (use e.g. 48h, 90m, 7d, 500ms or PT48H)`. Checks across settings (`state.ttl`
                  longer than the longest SLA, distinct topics) name one of the settings the same way.
                - **Durations** are `500ms`, `30s`, `90m`, `48h`, `7d` or ISO-8601 (`PT48H`).
                - **Secrets** (`clickhouse.password`, the gateway token) are never printed: the settings listed at
                  start-up and error messages show `***`.
                - **Shared settings.** `kafka.bootstrap`, the `topic.*` names, `clickhouse.*`, `time-zone`, `state.ttl`
                  and `event.max-future-skew` mean the same in every service that reads them, so one environment
                  configures the jobs, the gateway and the notifier.

                """.formatted(REGENERATE));
        section(md, "Monitor job", """
                `bin/salespulse run monitor [settings]`, or the job jar on a Flink cluster. `bin/salespulse migrate`
                reads the `clickhouse.*` settings of the same list. The job also accepts the funnel job's settings
                (below), as both read one list.""", monitor);
        md.append("""
                ### Alerts within a second

                With the defaults an overdue alert reaches WeCom about 1.4 s after its due time (p99 1.8 s, see
                [Benchmarks](benchmarks.md#where-salespulse-stands)). Three settings decide most of it: the job's clock trails
                arrival by `watermark.out-of-orderness` plus up to one `watermark.drain-check-interval`, and an alert is
                visible to the notifier at the next checkpoint's commit, up to one `checkpoint.interval` later. For
                alerts within a second of their due time (measured p50 0.75 s, p99 0.96 s at WeCom, 2026-12-03):

                ```bash
                bin/salespulse run monitor --checkpoint-interval 500ms --watermark-out-of-orderness 200ms \\
                  --watermark-drain-check-interval 100ms
                ```

                (the same keys in the environment or on a cluster's job arguments, as every setting; the funnel job
                reads them too).

                What it costs: two checkpoints a second instead of one (each flushes the ClickHouse sinks: up to two
                small inserts a second per table while cards flow, which ClickHouse merges in the background), ten drain
                checks a second per task manager instead of five (an end-offset request to Kafka each), and less room
                for the gateway's concurrent requests to reach Kafka out of order: a card that reaches Kafka more than
                200 ms after the gateway stamped it can come after the clock passed it, and if it proves an alert wrong,
                a retraction follows that alert. Nothing is lost or duplicated either way. Halving all three again (250
                ms, 100 ms, 50 ms) measured p99 0.81 s: little more for twice the checkpoints.

                """);
        section(md, "Funnel job", """
                `bin/salespulse run funnel [settings]` reads the same list as the monitor job and uses from it
                `kafka.bootstrap`, `topic.stages`, `topic.policies`, `topic.alerts`, `clickhouse.*`, the SLAs,
                `state.ttl`, `time-zone`, the checkpoint, parallelism, restart and watermark settings. Its own:""", Setting.funnelOnly());
        section(md, "Ingest gateway", """
                `bin/salespulse gateway [settings]`.""", GatewayConfig.SCHEMA.settings());
        section(md, "Notifier", """
                `bin/salespulse run notifier` hands over the shared settings (`kafka.bootstrap`, `topic.alerts`,
                `topic.acks`, `topic.policies`, `clickhouse.*`, `time-zone`, `state.ttl`) it was given and reads
                the rest from the environment; the notifier's own main class (`NotifierMain`) takes every setting as
                a flag too. A route's WeCom robot key comes from `SALESPULSE_WECOM_KEY_<ROUTE>` (or the route's
                `key_env`) or from the secrets file; it is never logged.""", NotifierConfig.SCHEMA.settings());
        section(md, "Command line", """
                Variables of `bin/salespulse` itself and of the commands that feed data in.""", CliSettings.all());
        return md.toString();
    }

    private static void section(StringBuilder md, String title, String intro, Collection<? extends SettingKey> settings) {
        md.append("## ").append(title).append("\n\n").append(intro).append("\n\n");
        md.append("| key | flag | environment | default | meaning |\n|---|---|---|---|---|\n");
        for (SettingKey s : settings) {
            md.append("| ").append(code(s.key()))
                    .append(" | ").append(code(s.flag()))
                    .append(" | ").append(code(s.env()))
                    .append(" | ").append(s.defaultValue() == null ? "(required)"
                            : s.defaultValue().isEmpty() ? "(empty)" : code(s.defaultValue()))
                    .append(" | ").append(cell(s.description())).append(" — *").append(s.spec().type().summary())
                    .append("*").append(s.secret() ? ", secret" : "")
                    .append(" |\n");
        }
        md.append('\n');
    }

    private static String code(String text) {
        return text == null ? "—" : "`" + cell(text) + "`";
    }

    private static String cell(String text) {
        return text.replace("|", "\\|");
    }
}
