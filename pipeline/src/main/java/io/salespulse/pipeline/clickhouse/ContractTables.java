package io.salespulse.pipeline.clickhouse;

import io.salespulse.contract.AckEvent;
import io.salespulse.contract.Alert;
import io.salespulse.contract.CashEvent;
import io.salespulse.contract.StageEvent;
import io.salespulse.contract.VisitEvent;
import io.salespulse.pipeline.events.DeadLetter;
import java.time.LocalDate;
import java.util.List;

/**
 * How the contract's streams map onto their ClickHouse tables (see sql/): the events, alerts, dead letters
 * and import sessions, written by either job. Column lists follow the migrations; {@code ingested_at} is the
 * insert time. A job's own results have their mappings in the job's package.
 */
public final class ContractTables {
    private ContractTables() {}

    public static final TableMapping<StageEvent> STAGE_EVENTS = TableMapping.of("salespulse.stage_events",
            List.of("event_id", "tenant", "occurred_at", "customer_id", "rep_id", "region", "team", "stage", "need",
                    "proposal", "objection_tag", "script_id", "outcome", "high_potential", "deal_value", "import_id",
                    "ingested_at"),
            (e, p) -> p.text(e.eventId).text(e.tenant).time(e.occurredAt).text(e.customerId).text(e.repId)
                    .text(e.region).text(e.team).text(e.stage).nullableText(e.need).nullableText(e.proposal)
                    .nullableText(e.objectionTag).nullableText(e.scriptId).nullableText(e.outcome)
                    .bool(e.highPotential).nullableNumber(e.dealValue).text(orEmpty(e.importId)).now());

    public static final TableMapping<VisitEvent> VISITS = TableMapping.of("salespulse.visits",
            List.of("event_id", "tenant", "occurred_at", "rep_id", "customer_id", "store_id", "region", "team",
                    "channel", "lat", "lon", "photo", "import_id", "accuracy", "ingested_at"),
            (v, p) -> p.text(v.eventId).text(v.tenant).time(v.occurredAt).text(v.repId).text(v.customerId)
                    .nullableText(v.storeId).text(v.region).text(v.team).text(v.channel).nullableNumber(v.lat)
                    .nullableNumber(v.lon).nullableText(v.photo).text(orEmpty(v.importId))
                    .nullableNumber(v.accuracy).now());

    public static final TableMapping<AckEvent> ALERT_ACKS = TableMapping.of("salespulse.alert_acks",
            List.of("event_id", "alert_id", "tenant", "responder", "action", "occurred_at", "ingested_at"),
            (a, p) -> p.text(a.eventId).text(a.alertId).text(a.tenant).text(a.responder).text(a.action)
                    .time(a.occurredAt).now());

    public static final TableMapping<Alert> ALERTS = TableMapping.of("salespulse.alerts",
            List.of("alert_id", "type", "severity", "tenant", "region", "team", "rep_id", "customer_id", "stage",
                    "due_at", "fired_at", "emitted_at", "title", "message", "suggestion", "origin", "retracts",
                    "ingested_at"),
            (a, p) -> p.text(a.alertId).text(a.type).text(a.severity).text(a.tenant).text(orEmpty(a.region))
                    .text(orEmpty(a.team)).text(orEmpty(a.repId)).text(orEmpty(a.customerId)).text(orEmpty(a.stage))
                    .nullableTime(a.dueAt).time(a.firedAt).time(a.emittedAt).text(a.title).text(a.message)
                    .text(a.suggestion).text(a.origin == null ? Alert.LIVE : a.origin).text(orEmpty(a.retracts))
                    .now());

    public static final TableMapping<DeadLetter> DEAD_LETTERS = TableMapping.of("salespulse.dead_letters",
            List.of("topic", "partition", "offset", "key", "raw", "raw_encoding", "error_code", "error", "tenant",
                    "received_at", "ingested_at"),
            (d, p) -> p.text(d.topic).number(d.partition).number(d.offset).nullableText(d.key).text(d.raw)
                    .text(d.rawEncoding).text(d.errorCode).text(d.error).text(d.tenant).time(d.receivedAt).now());

    /** Contracts of {@code sales.cash}; the schedule as two arrays of the same length. */
    public static final TableMapping<CashEvent> CONTRACTS = TableMapping.of("salespulse.contracts",
            List.of("event_id", "tenant", "occurred_at", "contract_id", "customer_id", "rep_id", "region", "team",
                    "amount", "terms_days", "schedule_dates", "schedule_amounts", "import_id", "ingested_at"),
            (c, p) -> p.text(c.eventId).text(c.tenant).time(c.occurredAt).text(c.contractId).text(c.customerId)
                    .text(c.repId).text(c.region).text(c.team).real(c.amount).number(c.termsDays)
                    .dateArray(scheduleDays(c)).realArray(scheduleAmounts(c)).text(orEmpty(c.importId)).now());

    public static final TableMapping<CashEvent> INVOICES = TableMapping.of("salespulse.invoices",
            List.of("event_id", "tenant", "occurred_at", "invoice_id", "contract_id", "customer_id", "rep_id",
                    "region", "team", "amount", "due_at", "import_id", "ingested_at"),
            (c, p) -> p.text(c.eventId).text(c.tenant).time(c.occurredAt).text(c.invoiceId).text(c.contractId)
                    .text(c.customerId).text(c.repId).text(c.region).text(c.team).real(c.amount).time(c.dueAt)
                    .text(orEmpty(c.importId)).now());

    public static final TableMapping<CashEvent> PAYMENTS = TableMapping.of("salespulse.payments",
            List.of("event_id", "tenant", "occurred_at", "invoice_id", "contract_id", "customer_id", "rep_id",
                    "region", "team", "amount", "import_id", "ingested_at"),
            (c, p) -> p.text(c.eventId).text(c.tenant).time(c.occurredAt).text(c.invoiceId).text(c.contractId)
                    .text(c.customerId).text(c.repId).text(c.region).text(c.team).real(c.amount)
                    .text(orEmpty(c.importId)).now());

    private static long[] scheduleDays(CashEvent c) {
        long[] days = new long[c.schedule.length];
        for (int i = 0; i < days.length; i++) {
            days[i] = LocalDate.parse(c.schedule[i].invoiceOn).toEpochDay();
        }
        return days;
    }

    private static double[] scheduleAmounts(CashEvent c) {
        double[] amounts = new double[c.schedule.length];
        for (int i = 0; i < amounts.length; i++) {
            amounts[i] = c.schedule[i].amount;
        }
        return amounts;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
