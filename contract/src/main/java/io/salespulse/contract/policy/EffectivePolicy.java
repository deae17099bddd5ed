package io.salespulse.contract.policy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.contract.Durations;
import io.salespulse.contract.Json;
import io.salespulse.contract.Stage;
import io.salespulse.contract.StageSla;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The policy that applies to one (tenant, region, team): the job's defaults, overridden field by field by
 * the tenant's policy, then the region's, then the team's (the most specific scope wins; a field a policy
 * does not set is inherited). A calendar is inherited or replaced as a whole. Without any calendar, SLAs
 * count calendar time around the clock, which is the behaviour of a job without policies.
 */
public final class EffectivePolicy {
    private final EnumMap<Stage, Duration> sla = new EnumMap<>(Stage.class);
    private final Map<String, String> source = new LinkedHashMap<>();
    private final TreeMap<String, Duration> escalation = new TreeMap<>();
    private final TreeMap<String, Boolean> alertTypes = new TreeMap<>();
    private Double funnelDropThresholdPct;
    private Integer funnelMinVolume;
    private BusinessCalendar calendar;
    private Duration offlineGrace = Duration.ZERO;

    private EffectivePolicy() {}

    /** Resolves the chain for (tenant, region, team); {@code policies} returns null for a scope without a policy. */
    public static EffectivePolicy resolve(StageSla defaults, Function<String, Policy> policies, String tenant,
            String region, String team) {
        return resolve(defaults, Duration.ZERO, policies, tenant, region, team);
    }

    /** As above, with the job's default {@code offline_grace}. */
    public static EffectivePolicy resolve(StageSla defaults, Duration defaultOfflineGrace,
            Function<String, Policy> policies, String tenant, String region, String team) {
        EffectivePolicy e = new EffectivePolicy();
        e.offlineGrace = defaultOfflineGrace;
        e.source.put("offline_grace", "default");
        for (Stage s : Stage.values()) {
            e.sla.put(s, defaults.of(s));
            e.source.put("sla." + s.code(), "default");
        }
        for (String t : Policy.ALERT_TYPES) {
            e.alertTypes.put(t, true);
        }
        for (String scope : Policy.chain(tenant, region, team)) {
            Policy p = policies.apply(scope);
            if (p != null) {
                e.apply(p);
            }
        }
        return e;
    }

    private void apply(Policy p) {
        p.sla.forEach((stage, d) -> {
            sla.put(stage, d);
            source.put("sla." + stage.code(), p.scope);
        });
        if (p.funnelDropThresholdPct != null) {
            funnelDropThresholdPct = p.funnelDropThresholdPct;
            source.put("funnel_drop.threshold_pct", p.scope);
        }
        if (p.funnelMinVolume != null) {
            funnelMinVolume = p.funnelMinVolume;
            source.put("funnel_drop.min_volume", p.scope);
        }
        p.escalation.forEach((k, d) -> {
            escalation.put(k, d);
            source.put("escalation." + k, p.scope);
        });
        if (p.calendar != null) {
            calendar = p.calendar;
            source.put("calendar", p.scope);
        }
        p.alertTypes.forEach((k, on) -> {
            alertTypes.put(k, on);
            source.put("alert_types." + k, p.scope);
        });
        if (p.offlineGrace != null) {
            offlineGrace = p.offlineGrace;
            source.put("offline_grace", p.scope);
        }
    }

    /**
     * How long after its due time an overdue alert waits for cards that offline phones upload late. Zero: the
     * alert goes out at the due time, and a card that arrives later but occurred before the due time retracts it.
     */
    public Duration offlineGrace() {
        return offlineGrace;
    }

    public Duration sla(Stage stage) {
        return sla.get(stage);
    }

    /** Null: SLAs count around the clock. */
    public BusinessCalendar calendar() {
        return calendar;
    }

    public boolean alertEnabled(String type) {
        return alertTypes.getOrDefault(type, true);
    }

    public Double funnelDropThresholdPct() {
        return funnelDropThresholdPct;
    }

    public Integer funnelMinVolume() {
        return funnelMinVolume;
    }

    public Map<String, Duration> escalation() {
        return escalation;
    }

    /** When the next card is due for a stage entered at {@code enteredAt} (epoch ms). */
    public long dueAt(Stage stage, long enteredAt) {
        Duration d = sla(stage);
        if (calendar == null) {
            return enteredAt + d.toMillis();
        }
        return calendar.addWorkingTime(Instant.ofEpochMilli(enteredAt), d).toEpochMilli();
    }

    /** Which scope (or {@code default}) each field comes from, for {@code bin/salespulse policy get}. */
    public Map<String, String> sources() {
        return source;
    }

    /** The resolved policy as JSON in the document's shape, for people. */
    public ObjectNode toJson() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        ObjectNode s = n.putObject("sla");
        sla.forEach((stage, d) -> s.put(stage.code(), Durations.format(d)));
        ObjectNode f = n.putObject("funnel_drop");
        if (funnelDropThresholdPct != null) f.put("threshold_pct", funnelDropThresholdPct);
        if (funnelMinVolume != null) f.put("min_volume", funnelMinVolume);
        ObjectNode esc = n.putObject("escalation");
        escalation.forEach((k, d) -> esc.put(k, Durations.format(d)));
        if (calendar == null) {
            n.put("calendar", "around the clock");
        } else {
            ObjectNode c = n.putObject("calendar");
            c.put("time_zone", calendar.zone().getId());
            ObjectNode wh = c.putObject("working_hours");
            calendar.week().forEach((day, periods) -> {
                if (!periods.isEmpty()) {
                    wh.put(day.name().substring(0, 3).toLowerCase(java.util.Locale.ROOT),
                            String.join(",", periods.stream().map(BusinessCalendar.Period::toString).toList()));
                }
            });
            var h = c.putArray("holidays");
            calendar.holidays().forEach(d -> h.add(d.toString()));
            var w = c.putArray("working_days");
            calendar.workingDays().forEach(d -> w.add(d.toString()));
        }
        ObjectNode a = n.putObject("alert_types");
        alertTypes.forEach(a::put);
        n.put("offline_grace", Durations.format(offlineGrace));
        return n;
    }
}
