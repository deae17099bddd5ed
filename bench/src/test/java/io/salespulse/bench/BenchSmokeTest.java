package io.salespulse.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.salespulse.contract.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps {@code bin/salespulse bench} working: the whole benchmark at a tiny size on the real local stack.
 * It asserts that every figure is produced and written to the JSON, never how fast anything is.
 */
class BenchSmokeTest {

    private static final List<String> FIGURES = List.of(
            "throughput.events", "throughput.load_events_per_s", "throughput.baseline_events_per_s",
            "throughput.job_events_per_s", "throughput.ratio", "throughput.ingest_events_per_s",
            "throughput.ingest_ratio", "throughput.alerts", "throughput.same_alerts",
            "throughput.cpu.job.total_s_per_m", "throughput.cpu.ingest.clickhouse_s_per_m",
            "peer.scan_alerts", "peer.same_alert_ids", "peer.scan_wall_s", "peer.scan_engine_cpu_s",
            "throughput.cpu.job.jit_s_per_m", "throughput.cpu.job.gc_s_per_m", "peer.job_cpu_s_per_h", "peer.scan_5m.cpu_s_per_h", "peer.scan_5m.delay_p99_s",
            "latency.default.customers", "latency.default.alerts_expected", "latency.default.alerts_received",
            "latency.default.emitted_p50_ms", "latency.default.emitted_p99_ms", "latency.default.emitted_max_ms",
            "latency.default.visible_p50_ms", "latency.default.visible_p99_ms", "latency.default.visible_max_ms",
            "latency.default.quiet_visible_p50_ms", "latency.default.quiet_visible_p99_ms",
            "state.open_customers", "state.checkpoint_bytes", "state.bytes_per_customer", "state.heap_used_mb",
            "state.restore_s",
            "replay.records", "replay.seconds", "replay.events_per_s", "replay.alerts", "replay.alerts_expected",
            "replay.alerts_differing",
            "import.records", "import.importer_events_per_s", "import.importer_check_s",
            "import.importer_send_events_per_s", "import.importer_heap_after_gc_mb", "import.rows_events_per_s",
            "import.direct_events_per_s", "import.ratio", "import.catch_up_s", "import.alerts",
            "import.alerts_expected", "import.alerts_differing",
            "micro.parser.parseStageCard_ops_per_s", "micro.parser.parseVisit_ops_per_s",
            "micro.state_serializer.serialize_own_ops_per_s", "micro.state_serializer.deserialize_own_ops_per_s",
            "micro.state_serializer.serialize_pojo_ops_per_s", "micro.state_serializer.deserialize_pojo_ops_per_s",
            "micro.state_serializer.bytes_own", "micro.state_serializer.bytes_pojo");

    @Test
    void tinyRunProducesEveryFigure(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("results.json");

        int exit = Bench.run(new String[] {"--tiny", "--out", out.toString()});

        assertThat(exit).isZero();
        JsonNode figures = Json.MAPPER.readTree(Files.readAllBytes(out)).get("figures");
        for (String key : FIGURES) {
            assertThat(figures.has(key)).as("figure %s in %s", key, figures).isTrue();
            assertThat(figures.get(key).isNumber()).as("figure %s is a number", key).isTrue();
        }
    }
}
