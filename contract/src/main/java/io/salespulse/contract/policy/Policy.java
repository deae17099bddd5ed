package io.salespulse.contract.policy;

import io.salespulse.contract.Stage;
import java.io.Serializable;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One validated policy document of {@code sales.policies}, for one scope ({@code tenant},
 * {@code tenant/region} or {@code tenant/region/team}). Every field is optional: a field that is not set
 * is inherited from the less specific scope (see {@link EffectivePolicy}). Immutable; built by
 * {@link PolicyParser}, which also keeps the original JSON ({@link #json()}) for state and history.
 */
public final class Policy implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The alert types a policy can switch on and off (the contract's {@code type} values). */
    public static final List<String> ALERT_TYPES = List.of("stage_overdue", "escalation", "funnel_drop", "coaching");

    final String scope;
    final long version;
    final long updatedAt;
    final String updatedBy;
    final EnumMap<Stage, Duration> sla;
    final Double funnelDropThresholdPct;
    final Integer funnelMinVolume;
    final TreeMap<String, Duration> escalation;
    final BusinessCalendar calendar;
    final TreeMap<String, Boolean> alertTypes;
    /** How long an overdue alert waits after the due time for cards uploaded late by offline phones; null: inherited. */
    final Duration offlineGrace;
    final String json;

    Policy(String scope, long version, long updatedAt, String updatedBy, EnumMap<Stage, Duration> sla,
            Double funnelDropThresholdPct, Integer funnelMinVolume, TreeMap<String, Duration> escalation,
            BusinessCalendar calendar, TreeMap<String, Boolean> alertTypes, Duration offlineGrace, String json) {
        this.scope = scope;
        this.version = version;
        this.updatedAt = updatedAt;
        this.updatedBy = updatedBy;
        this.sla = sla;
        this.funnelDropThresholdPct = funnelDropThresholdPct;
        this.funnelMinVolume = funnelMinVolume;
        this.escalation = escalation;
        this.calendar = calendar;
        this.alertTypes = alertTypes;
        this.offlineGrace = offlineGrace;
        this.json = json;
    }

    public String scope() {
        return scope;
    }

    public long version() {
        return version;
    }

    public long updatedAt() {
        return updatedAt;
    }

    public String updatedBy() {
        return updatedBy;
    }

    public Map<Stage, Duration> sla() {
        return Collections.unmodifiableMap(sla);
    }

    /** The calendar SLAs count in, or null when this policy does not set one. */
    public BusinessCalendar calendar() {
        return calendar;
    }

    public Map<String, Boolean> alertTypes() {
        return Collections.unmodifiableMap(alertTypes);
    }

    public Map<String, Duration> escalation() {
        return Collections.unmodifiableMap(escalation);
    }

    public Double funnelDropThresholdPct() {
        return funnelDropThresholdPct;
    }

    public Integer funnelMinVolume() {
        return funnelMinVolume;
    }

    /** Null when this policy does not set it. */
    public Duration offlineGrace() {
        return offlineGrace;
    }

    /** The document as it was published (canonical JSON). */
    public String json() {
        return json;
    }

    /** The values this policy sets, by dotted field name (e.g. {@code sla.needs}, {@code calendar}). */
    public Map<String, Object> fieldValues() {
        TreeMap<String, Object> out = new TreeMap<>();
        sla.forEach((s, d) -> out.put("sla." + s.code(), d));
        if (funnelDropThresholdPct != null) out.put("funnel_drop.threshold_pct", funnelDropThresholdPct);
        if (funnelMinVolume != null) out.put("funnel_drop.min_volume", funnelMinVolume);
        escalation.forEach((k, d) -> out.put("escalation." + k, d));
        if (calendar != null) out.put("calendar", calendar);
        alertTypes.forEach((k, on) -> out.put("alert_types." + k, on));
        if (offlineGrace != null) out.put("offline_grace", offlineGrace);
        List<PolicySilence> silences = PolicySilence.of(this);
        if (!silences.isEmpty()) out.put("silences", silences);
        return out;
    }

    /** Dotted names of the fields whose value differs between two versions (either may be null). */
    public static List<String> changedFields(Policy before, Policy after) {
        Map<String, Object> a = before == null ? Map.of() : before.fieldValues();
        Map<String, Object> b = after == null ? Map.of() : after.fieldValues();
        java.util.TreeSet<String> names = new java.util.TreeSet<>(a.keySet());
        names.addAll(b.keySet());
        names.removeIf(n -> java.util.Objects.equals(a.get(n), b.get(n)));
        return List.copyOf(names);
    }

    /** Scope levels: 1 = tenant, 2 = tenant/region, 3 = tenant/region/team. */
    public static int depth(String scope) {
        return scope.split("/", -1).length;
    }

    /** Whether the scope covers a customer owned by (tenant, region, team). */
    public static boolean covers(String scope, String tenant, String region, String team) {
        String[] p = scope.split("/", -1);
        return p[0].equals(tenant) && (p.length < 2 || p[1].equals(region)) && (p.length < 3 || p[2].equals(team));
    }

    /** The scopes that apply to (tenant, region, team), least specific first. */
    public static List<String> chain(String tenant, String region, String team) {
        return List.of(tenant, tenant + "/" + region, tenant + "/" + region + "/" + team);
    }

    @Override
    public String toString() {
        return "Policy{" + scope + " v" + version + "}";
    }
}
