package io.salespulse.producers.importer;

import com.fasterxml.jackson.databind.JsonNode;
import io.salespulse.contract.AckEvent;
import io.salespulse.contract.CashEvent;
import io.salespulse.contract.EventParser;
import io.salespulse.contract.InvalidEventException;
import io.salespulse.contract.StageEvent;
import io.salespulse.contract.VisitEvent;
import java.util.Locale;
import java.util.Optional;

/** What a history record is, and so which gateway endpoint it goes to and which part of the contract it must meet. */
public enum ImportKind {
    CARD("card", "cards", "/v1/stages", "customer_id", "stage"),
    VISIT("visit", "visits", "/v1/visits", "customer_id", "channel"),
    ACK("ack", "acks", "/v1/acks", "alert_id", "action"),
    // Lead to cash (sales.cash): the record's own 'kind' says which, and stays in the record.
    CONTRACT("contract", "contracts", "/v1/contracts", "contract_id", "amount"),
    INVOICE("invoice", "invoices", "/v1/invoices", "invoice_id", "amount"),
    PAYMENT("payment", "payments", "/v1/payments", "invoice_id", "amount");

    private final String code;
    private final String plural;
    private final String path;
    /** The fields that, with the tenant and occurred_at, tell one record of this kind from another. */
    final String subjectField;
    final String whatField;

    ImportKind(String code, String plural, String path, String subjectField, String whatField) {
        this.code = code;
        this.plural = plural;
        this.path = path;
        this.subjectField = subjectField;
        this.whatField = whatField;
    }

    public String code() {
        return code;
    }

    public String plural() {
        return plural;
    }

    /** The gateway endpoint of this kind. */
    public String path() {
        return path;
    }

    /** Whether the record's {@code kind} field is part of the contract (cash records), not only the importer's. */
    public boolean isCash() {
        return this == CONTRACT || this == INVOICE || this == PAYMENT;
    }

    /** card/stage, visit, ack, contract, invoice, payment, also in the plural (stages, visits, ...) and in any case. */
    public static Optional<ImportKind> fromCode(String code) {
        return Optional.ofNullable(switch (code.strip().toLowerCase(Locale.ROOT)) {
            case "card", "cards", "stage", "stages" -> CARD;
            case "visit", "visits" -> VISIT;
            case "ack", "acks" -> ACK;
            case "contract", "contracts" -> CONTRACT;
            case "invoice", "invoices" -> INVOICE;
            case "payment", "payments" -> PAYMENT;
            default -> null;
        });
    }

    /** A record without a kind: a card when it names a stage, an ack when it names an alert, else a visit. */
    public static ImportKind infer(JsonNode record) {
        if (present(record, "stage")) {
            return CARD;
        }
        return present(record, "alert_id") ? ACK : VISIT;
    }

    /** The contract's verdict on a record of this kind. */
    Validated validate(EventParser parser, byte[] value, long receivedAt) throws InvalidEventException {
        return switch (this) {
            case CARD -> {
                StageEvent e = parser.parseStage(value, receivedAt);
                yield new Validated(e.eventId, e.tenant, e.occurredAt);
            }
            case VISIT -> {
                VisitEvent e = parser.parseVisit(value, receivedAt);
                yield new Validated(e.eventId, e.tenant, e.occurredAt);
            }
            case ACK -> {
                AckEvent e = parser.parseAck(value, receivedAt);
                yield new Validated(e.eventId, e.tenant, e.occurredAt);
            }
            case CONTRACT, INVOICE, PAYMENT -> {
                CashEvent e = parser.parseCash(value, receivedAt);
                yield new Validated(e.eventId, e.tenant, e.occurredAt);
            }
        };
    }

    /** What the importer needs of a valid record. */
    record Validated(String eventId, String tenant, long occurredAt) {}

    static boolean present(JsonNode record, String field) {
        JsonNode v = record.get(field);
        return v != null && !v.isNull() && !(v.isTextual() && v.textValue().isBlank());
    }
}
