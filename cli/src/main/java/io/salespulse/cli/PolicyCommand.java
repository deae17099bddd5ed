package io.salespulse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.contract.InvalidEventException;
import io.salespulse.contract.Json;
import io.salespulse.contract.Topics;
import io.salespulse.contract.policy.EffectivePolicy;
import io.salespulse.contract.policy.Policy;
import io.salespulse.contract.policy.PolicyParser;
import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.config.Setting;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code bin/salespulse policy set|remove|get|list|history}: publish and inspect run-time policies on the
 * compacted {@code sales.policies} topic. {@code set} validates with the job's own parser before sending,
 * so what the CLI accepts the job accepts.
 */
@Command(name = "policy",
        mixinStandardHelpOptions = true,
        description = "Publish and inspect run-time policies (SLAs, business calendar, alert types) on sales.policies.",
        subcommands = {
            PolicyCommand.Set.class,
            PolicyCommand.Remove.class,
            PolicyCommand.Get.class,
            PolicyCommand.ListScopes.class,
            PolicyCommand.History.class,
        })
final class PolicyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    /** Where the policies are. */
    static final class Topic {
        @Option(names = "--kafka-bootstrap", defaultValue = "${env:SALESPULSE_KAFKA_BOOTSTRAP:-127.0.0.1:9092}",
                description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE})")
        String bootstrap;

        @Option(names = "--topic", defaultValue = "${env:SALESPULSE_TOPIC_POLICIES:-" + Topics.POLICIES + "}",
                description = "Policies topic (default: ${DEFAULT-VALUE})")
        String topic;

        /** The latest document per scope (tombstones remove), as the job would rebuild it. */
        Map<String, Policy> read(PolicyParser parser, PrintWriter err) {
            Properties p = new Properties();
            p.setProperty("bootstrap.servers", bootstrap);
            p.setProperty("isolation.level", "read_committed");
            p.setProperty("enable.auto.commit", "false");
            Map<String, Policy> out = new TreeMap<>();
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                var infos = c.partitionsFor(topic, Duration.ofSeconds(15));
                if (infos == null || infos.isEmpty()) {
                    return out;
                }
                List<TopicPartition> parts = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
                c.assign(parts);
                c.seekToBeginning(parts);
                Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(15));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                        String scope = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
                        if (r.value() == null) {
                            out.remove(scope);
                            continue;
                        }
                        try {
                            Policy next = parser.parse(scope, r.value());
                            Policy current = out.get(next.scope());
                            if (current == null || next.version() > current.version()) {
                                out.put(next.scope(), next);
                            }
                        } catch (InvalidEventException e) {
                            err.println("note: ignoring invalid record at offset " + r.offset() + " (" + scope + "): "
                                    + e.getMessage());
                        }
                    }
                }
            } catch (org.apache.kafka.common.KafkaException e) {
                throw new UserError("cannot read " + topic + " from " + bootstrap + ": " + e.getMessage());
            }
            return out;
        }
    }

    static PolicyParser parser() {
        PipelineConfig config = PipelineConfig.load(Map.of(), System.getenv());
        return new PolicyParser(config.stateTtl, config.timeZone);
    }

    @Command(name = "set", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Publish a new version of a scope's policy: the current document (or --file) with the "
                    + "given changes, version + 1, validated before sending.",
                    "Example: salespulse policy set weijiang/hz-west --sla-needs 48h --holiday 2026-10-01 --holiday 2026-10-02"})
    static final class Set implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "<scope>", description = "tenant, tenant/region or tenant/region/team")
        String scope;

        @Option(names = "--file", description = "Start from this JSON document instead of the current one")
        Path file;

        @Option(names = "--sla-contact", paramLabel = "<duration>") String slaContact;
        @Option(names = "--sla-needs", paramLabel = "<duration>") String slaNeeds;
        @Option(names = "--sla-proposal", paramLabel = "<duration>") String slaProposal;
        @Option(names = "--sla-objection", paramLabel = "<duration>") String slaObjection;
        @Option(names = "--sla-closing", paramLabel = "<duration>", description = "SLA per stage, e.g. 48h")
        String slaClosing;

        @Option(names = "--time-zone", description = "Time zone of the business calendar (e.g. Asia/Shanghai)")
        String timeZone;

        @Option(names = "--working-hours", paramLabel = "<day=hours>",
                description = "Working hours of a weekday, e.g. mon=09:00-18:00 or sat= (none); sets a calendar")
        List<String> workingHours = new ArrayList<>();

        @Option(names = "--holiday", paramLabel = "<date>", description = "A day off (ISO date); repeatable")
        List<String> holidays = new ArrayList<>();

        @Option(names = "--working-day", paramLabel = "<date>",
                description = "An adjusted working day (e.g. a 调休 Saturday), worked with Monday's hours; repeatable")
        List<String> workingDays = new ArrayList<>();

        @Option(names = "--enable-alert", paramLabel = "<type>") List<String> enable = new ArrayList<>();
        @Option(names = "--disable-alert", paramLabel = "<type>",
                description = "Switch an alert type on/off: stage_overdue, escalation, funnel_drop, coaching")
        List<String> disable = new ArrayList<>();

        @Option(names = "--updated-by", defaultValue = "${env:USER:-cli}", description = "Who changes it (default: ${DEFAULT-VALUE})")
        String updatedBy;

        @Mixin
        Topic topic;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PolicyParser parser = parser();
            try {
                PolicyParser.scope(scope);
            } catch (InvalidEventException e) {
                throw new UserError(e.getMessage(), 2);
            }
            Policy current = topic.read(parser, spec.commandLine().getErr()).get(scope);
            ObjectNode doc;
            if (file != null) {
                JsonNode n = Json.MAPPER.readTree(Files.readString(file));
                if (n == null || !n.isObject()) {
                    throw new UserError(file + " does not hold a JSON object", 2);
                }
                doc = (ObjectNode) n;
            } else {
                doc = current == null ? Json.MAPPER.createObjectNode() : (ObjectNode) Json.MAPPER.readTree(current.json());
            }
            ObjectNode sla = doc.has("sla") && doc.get("sla").isObject() ? (ObjectNode) doc.get("sla") : doc.putObject("sla");
            put(sla, "contact", slaContact);
            put(sla, "needs", slaNeeds);
            put(sla, "proposal", slaProposal);
            put(sla, "objection", slaObjection);
            put(sla, "closing", slaClosing);
            if (timeZone != null || !workingHours.isEmpty() || !holidays.isEmpty() || !workingDays.isEmpty()) {
                ObjectNode cal = doc.has("calendar") && doc.get("calendar").isObject()
                        ? (ObjectNode) doc.get("calendar") : doc.putObject("calendar");
                if (timeZone != null) cal.put("time_zone", timeZone);
                if (!workingHours.isEmpty()) {
                    ObjectNode wh = cal.has("working_hours") && cal.get("working_hours").isObject()
                            ? (ObjectNode) cal.get("working_hours") : cal.putObject("working_hours");
                    for (String w : workingHours) {
                        String[] kv = w.split("=", 2);
                        if (kv.length != 2) throw new UserError("--working-hours '" + w + "' is not day=hours", 2);
                        wh.put(kv[0].trim(), kv[1].trim());
                    }
                }
                for (String d : holidays) addDate(cal, "holidays", d);
                for (String d : workingDays) addDate(cal, "working_days", d);
            }
            if (!enable.isEmpty() || !disable.isEmpty()) {
                ObjectNode types = doc.has("alert_types") && doc.get("alert_types").isObject()
                        ? (ObjectNode) doc.get("alert_types") : doc.putObject("alert_types");
                enable.forEach(t -> types.put(t, true));
                disable.forEach(t -> types.put(t, false));
            }
            long next = current == null ? 1 : current.version() + 1;
            if (file == null || !doc.has("version")) {
                doc.put("version", next);
            }
            doc.put("updated_at", DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
                    ZonedDateTime.now(parserZone()).withNano(0)));
            doc.put("updated_by", updatedBy);
            doc.put("scope", scope);
            byte[] value = Json.bytes(doc);
            Policy p;
            try {
                p = parser.parse(scope, value);
            } catch (InvalidEventException e) {
                throw new UserError("invalid policy, nothing sent: " + e.getMessage(), 2);
            }
            if (current != null && p.version() <= current.version()) {
                throw new UserError("version " + p.version() + " is not newer than the current version "
                        + current.version() + " of " + scope + "; nothing sent", 2);
            }
            send(topic, scope, value);
            out.println("published " + scope + " version " + p.version() + ": changed "
                    + String.join(", ", Policy.changedFields(current, p)));
            out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(Json.MAPPER.readTree(value)));
            return 0;
        }

        private static java.time.ZoneId parserZone() {
            return PipelineConfig.load(Map.of(), System.getenv()).timeZone;
        }

        private static void put(ObjectNode sla, String stage, String value) {
            if (value != null) {
                sla.put(stage, value);
            }
        }

        private static void addDate(ObjectNode cal, String field, String date) {
            var arr = cal.has(field) && cal.get(field).isArray() ? (com.fasterxml.jackson.databind.node.ArrayNode) cal.get(field)
                    : cal.putArray(field);
            for (JsonNode d : arr) {
                if (d.asText().equals(date)) return;
            }
            arr.add(date);
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Remove a scope's policy (a tombstone): its customers fall back to the less specific scope.")
    static final class Remove implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "<scope>") String scope;
        @Mixin Topic topic;
        @Spec CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            try {
                PolicyParser.scope(scope);
            } catch (InvalidEventException e) {
                throw new UserError(e.getMessage(), 2);
            }
            send(topic, scope, null);
            spec.commandLine().getOut().println("removed " + scope);
            return 0;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
            description = "Show the effective policy of a scope, inheritance resolved (team -> region -> tenant -> job defaults).")
    static final class Get implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "<scope>") String scope;
        @Mixin Topic topic;
        @Spec CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Map<String, Policy> all = topic.read(parser(), spec.commandLine().getErr());
            String[] p = scope.split("/", -1);
            // Missing levels resolve to no policy: a tenant scope shows the tenant's view.
            String region = p.length > 1 ? p[1] : "\u0000";
            String team = p.length > 2 ? p[2] : "\u0000";
            EffectivePolicy e = EffectivePolicy.resolve(PipelineConfig.load(Map.of(), System.getenv()).sla, all::get,
                    p[0], region, team);
            ObjectNode n = e.toJson();
            n.set("from", Json.MAPPER.valueToTree(e.sources()));
            out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(n));
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the scopes that have a policy.")
    static final class ListScopes implements Callable<Integer> {
        @Mixin Topic topic;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            List<List<String>> rows = new ArrayList<>();
            topic.read(parser(), spec.commandLine().getErr()).values().forEach(p -> rows.add(List.of(p.scope(),
                    String.valueOf(p.version()), java.time.Instant.ofEpochMilli(p.updatedAt()).atOffset(ZoneOffset.UTC).toString(),
                    p.updatedBy(), String.join(",", p.fieldValues().keySet()))));
            TablePrinter.print(new ClickHouse.Table(List.of("scope", "version", "updated_at", "updated_by", "sets"), rows),
                    spec.commandLine().getOut());
            return 0;
        }
    }

    @Command(name = "history", mixinStandardHelpOptions = true,
            description = "Changes of a scope's policy as the job applied them (ClickHouse table policy_changes).")
    static final class History implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "<scope>") String scope;

        @Option(names = "--clickhouse-url", defaultValue = "${env:SALESPULSE_CLICKHOUSE_URL:-" + ClickHouse.LOCAL_URL + "}",
                description = "JDBC URL (default: ${DEFAULT-VALUE})")
        String url;

        @Option(names = "--clickhouse-user", defaultValue = "${env:SALESPULSE_CLICKHOUSE_USER:-default}") String user;
        @Spec CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            try {
                PolicyParser.scope(scope);
            } catch (InvalidEventException e) {
                throw new UserError(e.getMessage(), 2);
            }
            String password = System.getenv().getOrDefault(Setting.CLICKHOUSE_PASSWORD.env(), "");
            try (ClickHouse ch = ClickHouse.connect(url, user, password)) {
                TablePrinter.print(ch.query("SELECT version, change, fields_changed, effective_at, updated_by, new_policy "
                        + "FROM salespulse.policy_changes FINAL WHERE scope = '" + scope.replace("\\", "\\\\").replace("'", "\\'")
                        + "' ORDER BY effective_at, version"), spec.commandLine().getOut());
            } catch (java.sql.SQLException e) {
                throw new UserError(SalesPulse.messageChain(e));
            }
            return 0;
        }
    }

    /** Idempotent, acknowledged by all replicas: a retried send never publishes a policy twice. */
    static void send(Topic topic, String scope, byte[] value) throws Exception {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", topic.bootstrap);
        p.setProperty("acks", "all");
        p.setProperty("enable.idempotence", "true");
        // The client refuses delivery.timeout.ms < linger.ms + request.timeout.ms (its defaults: 5 ms + 30 s).
        p.setProperty("request.timeout.ms", "10000");
        p.setProperty("delivery.timeout.ms", "30000");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic.topic, scope.getBytes(StandardCharsets.UTF_8), value)).get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new UserError("could not publish to " + topic.topic + " at " + topic.bootstrap + ": " + e.getMessage());
        }
    }
}
