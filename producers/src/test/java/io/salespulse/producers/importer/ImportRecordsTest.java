package io.salespulse.producers.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.contract.EventParser;
import io.salespulse.contract.Json;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Kind, tenant, event_id and import_id of a record, and the contract's verdict on it. */
class ImportRecordsTest {
    private static final Path FILE = Path.of("history.jsonl");
    private static final long NOW = java.time.Instant.parse("2026-12-01T00:00:00Z").toEpochMilli();

    private final ImportRecords inferred = new ImportRecords("weijiang", null, "imp-test-1", new EventParser(), NOW);

    @Test
    void theKindComesFromTheKindFieldThenTheOptionThenTheFields() throws Exception {
        assertThat(inferred.prepare(FILE, source(card())).kind()).isEqualTo(ImportKind.CARD);
        assertThat(inferred.prepare(FILE, source(visit())).kind()).isEqualTo(ImportKind.VISIT);
        assertThat(inferred.prepare(FILE, source(ack())).kind()).isEqualTo(ImportKind.ACK);

        ImportRecord stage = inferred.prepare(FILE, source(card().put("kind", "Stage")));
        assertThat(stage.kind()).isEqualTo(ImportKind.CARD);
        assertThat(sent(stage).has("kind")).as("the kind field is not sent").isFalse();

        // A card without its stage is not taken for a visit when the record says what it is.
        ObjectNode noStage = card().put("kind", "card");
        noStage.remove("stage");
        assertRejected(inferred, noStage, "missing_field");

        ImportRecords visits = new ImportRecords("weijiang", ImportKind.VISIT, "imp-test-1", new EventParser(), NOW);
        assertThat(visits.prepare(FILE, source(visit())).kind()).isEqualTo(ImportKind.VISIT);
        assertRejected(visits, card(), "missing_field");
        assertThat(visits.prepare(FILE, source(card().put("kind", "card"))).kind()).isEqualTo(ImportKind.CARD);

        assertRejected(inferred, visit().put("kind", "order"), "unknown_kind");
        assertRejected(inferred, visit().put("kind", 3), "unknown_kind");
    }

    @Test
    void cashRecordsKeepTheirKindAndGoToTheirEndpoint() throws Exception {
        ImportRecord invoice = inferred.prepare(FILE, source(invoice()));
        assertThat(invoice.kind()).isEqualTo(ImportKind.INVOICE);
        assertThat(invoice.kind().path()).isEqualTo("/v1/invoices");
        assertThat(sent(invoice).get("kind").asText()).as("part of the cash contract").isEqualTo("invoice");
        assertThat(sent(invoice).get("import_id").asText()).isEqualTo("imp-test-1");

        ObjectNode payment = invoice().put("kind", "Payments");
        payment.remove("due_at");
        ImportRecord p = inferred.prepare(FILE, source(payment));
        assertThat(p.kind()).isEqualTo(ImportKind.PAYMENT);
        assertThat(sent(p).get("kind").asText()).isEqualTo("payment");

        ObjectNode noId = invoice();
        noId.remove("event_id");
        assertThat(inferred.prepare(FILE, source(noId)).eventId()).startsWith("imp-")
                .isEqualTo(inferred.prepare(FILE, source(noId.deepCopy())).eventId());
        assertRejected(inferred, invoice().put("amount", 0), "out_of_range");
        assertRejected(inferred, invoice().put("kind", "refund"), "unknown_kind");
    }

    static ObjectNode invoice() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("event_id", "k-1");
        n.put("tenant", "weijiang");
        n.put("kind", "invoice");
        n.put("occurred_at", "2026-01-14T11:00:00+08:00");
        n.put("contract_id", "ct-1");
        n.put("customer_id", "c-1");
        n.put("rep_id", "r-017");
        n.put("region", "hz-west");
        n.put("team", "t-3");
        n.put("invoice_id", "inv-1");
        n.put("amount", 12000.0);
        n.put("due_at", "2026-02-14T11:00:00+08:00");
        return n;
    }

    @Test
    void tenantIsFilledInAndAnotherTenantIsRefused() throws Exception {
        ObjectNode noTenant = card();
        noTenant.remove("tenant");
        assertThat(sent(inferred.prepare(FILE, source(noTenant))).get("tenant").asText()).isEqualTo("weijiang");
        assertThat(sent(inferred.prepare(FILE, source(card().put("tenant", "")))).get("tenant").asText())
                .isEqualTo("weijiang");

        assertRejected(inferred, card().put("tenant", "other"), "tenant_mismatch");
    }

    @Test
    void aMissingEventIdIsDeterministic() throws Exception {
        ObjectNode a = card();
        a.remove("event_id");
        String id = inferred.prepare(FILE, source(a)).eventId();

        assertThat(id).matches("imp-[0-9a-f]{20}");
        assertThat(new ImportRecords("weijiang", null, "imp-other-run", new EventParser(), NOW).prepare(FILE, source(a))
                .eventId()).as("another run, another import id, same record").isEqualTo(id);
        assertThat(inferred.prepare(FILE, source(a.deepCopy().put("region", "hz-east"))).eventId())
                .as("fields outside the identity do not change it").isEqualTo(id);
        assertThat(inferred.prepare(FILE, source(a.deepCopy().put("occurred_at", "2026-01-12T02:05:00Z"))).eventId())
                .as("the same moment with another offset").isEqualTo(id);
        assertThat(inferred.prepare(FILE, source(a.deepCopy().put("occurred_at", "2026-01-12T10:06:00+08:00")))
                .eventId()).isNotEqualTo(id);
        assertThat(inferred.prepare(FILE, source(a.deepCopy().put("customer_id", "c-2"))).eventId()).isNotEqualTo(id);
        ObjectNode proposal = a.deepCopy().put("stage", "proposal").put("proposal", "sku-1");
        assertThat(inferred.prepare(FILE, source(proposal)).eventId()).isNotEqualTo(id);

        ObjectNode v = visit();
        v.remove("event_id");
        assertThat(inferred.prepare(FILE, source(v)).eventId()).isNotEqualTo(
                inferred.prepare(FILE, source(v.deepCopy().put("channel", "phone"))).eventId());

        assertThat(inferred.prepare(FILE, source(card())).eventId()).as("a given id is kept").isEqualTo("s-1");
    }

    @Test
    void everyRecordCarriesTheImportIdAndMeetsTheContract() throws Exception {
        ImportRecord r = inferred.prepare(FILE, source(card().put("import_id", "an-old-export")));
        assertThat(sent(r).get("import_id").asText()).isEqualTo("imp-test-1");
        assertThat(r.occurredAt()).isEqualTo(java.time.Instant.parse("2026-01-12T02:05:00Z").toEpochMilli());
        assertThat(r.line()).isEqualTo(7);
        assertThat(new EventParser().parseStage(r.json(), NOW).importId).isEqualTo("imp-test-1");

        assertRejected(inferred, card().put("occurred_at", "2026-13-45T99:00"), "bad_timestamp");
        assertRejected(inferred, card().put("occurred_at", "2027-01-01T00:00:00Z"), "bad_timestamp");
        assertRejected(inferred, visit().put("channel", "fax"), "unknown_value");
        assertRejected(inferred, card().put("high_potential", "yes"), "wrong_type");
        assertThatThrownBy(() -> inferred.prepare(FILE, SourceRecord.unreadable(3, "{", "not_json", "broken")))
                .isInstanceOf(ImportRecords.Rejected.class).hasMessage("broken");
    }

    private static void assertRejected(ImportRecords records, ObjectNode record, String code) {
        assertThatThrownBy(() -> records.prepare(FILE, source(record))).isInstanceOf(ImportRecords.Rejected.class)
                .satisfies(e -> assertThat(((ImportRecords.Rejected) e).code()).isEqualTo(code));
    }

    private static SourceRecord source(ObjectNode n) {
        return SourceRecord.of(7, n.toString(), n);
    }

    private static JsonNode sent(ImportRecord r) throws Exception {
        return Json.MAPPER.readTree(r.json());
    }

    static ObjectNode card() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("event_id", "s-1");
        n.put("tenant", "weijiang");
        n.put("occurred_at", "2026-01-12T10:05:00+08:00");
        n.put("customer_id", "c-1");
        n.put("rep_id", "r-017");
        n.put("region", "hz-west");
        n.put("team", "t-3");
        n.put("stage", "needs");
        n.put("need", "shelf space");
        return n;
    }

    static ObjectNode visit() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("event_id", "v-1");
        n.put("tenant", "weijiang");
        n.put("occurred_at", "2026-01-12T09:30:00+08:00");
        n.put("rep_id", "r-017");
        n.put("customer_id", "c-1");
        n.put("region", "hz-west");
        n.put("team", "t-3");
        n.put("channel", "store_scan");
        return n;
    }

    static ObjectNode ack() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("event_id", "a-1");
        n.put("tenant", "weijiang");
        n.put("occurred_at", "2026-01-14T11:00:00+08:00");
        n.put("alert_id", "stage_overdue:weijiang:c-1:needs:2026-01-15T02:05:00Z");
        n.put("responder", "u-chen");
        n.put("action", "ack");
        return n;
    }
}
