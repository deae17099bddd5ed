package io.salespulse.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code sales.cash}: the three kinds as docs/contract.md shows them, and every rejection with its reason. */
class CashEventParserTest {
    private static final long RECEIVED = Instant.parse("2026-01-12T02:06:00Z").toEpochMilli();
    private final EventParser parser = new EventParser(Duration.ofHours(1));

    private static final String CONTRACT = "{\"event_id\":\"k-001\",\"tenant\":\"weijiang\",\"kind\":\"contract\","
            + "\"occurred_at\":\"2026-01-12T10:00:00+08:00\",\"contract_id\":\"ct-0042\",\"customer_id\":\"c-00042\","
            + "\"rep_id\":\"r-017\",\"region\":\"hz-west\",\"team\":\"t-3\",\"amount\":36000.0,\"terms_days\":45,"
            + "\"schedule\":[{\"invoice_on\":\"2026-01-12\",\"amount\":12000.0},"
            + "{\"invoice_on\":\"2026-02-12\",\"amount\":24000.0}]}";
    private static final String INVOICE = "{\"event_id\":\"k-002\",\"tenant\":\"weijiang\",\"kind\":\"invoice\","
            + "\"occurred_at\":\"2026-01-12T10:05:00+08:00\",\"contract_id\":\"ct-0042\",\"customer_id\":\"c-00042\","
            + "\"rep_id\":\"r-017\",\"region\":\"hz-west\",\"team\":\"t-3\",\"invoice_id\":\"inv-0042-1\","
            + "\"amount\":12000.0,\"due_at\":\"2026-02-26T10:05:00+08:00\"}";
    private static final String PAYMENT = "{\"event_id\":\"k-003\",\"tenant\":\"weijiang\",\"kind\":\"payment\","
            + "\"occurred_at\":\"2026-01-12T09:00:00+08:00\",\"contract_id\":\"ct-0042\",\"customer_id\":\"c-00042\","
            + "\"rep_id\":\"r-017\",\"region\":\"hz-west\",\"team\":\"t-3\",\"invoice_id\":\"inv-0042-1\","
            + "\"amount\":5000.0}";

    @Test
    void parsesAContractWithItsSchedule() throws Exception {
        CashEvent c = parser.parseCash(bytes(CONTRACT), RECEIVED);
        assertThat(c.isContract()).isTrue();
        assertThat(c.occurredAt).isEqualTo(Instant.parse("2026-01-12T02:00:00Z").toEpochMilli());
        assertThat(c.amount).isEqualTo(36000.0);
        assertThat(c.termsDays).isEqualTo(45);
        assertThat(c.schedule).extracting(i -> i.invoiceOn).containsExactly("2026-01-12", "2026-02-12");
        assertThat(c.schedule).extracting(i -> i.amount).containsExactly(12000.0, 24000.0);
        assertThat(c.invoiceId).isNull();
    }

    @Test
    void aContractWithoutTermsOrScheduleIsOneInvoiceOnTheSigningDayDueIn30Days() throws Exception {
        // Signed at 01:30 in Shanghai: the signing day is the 13th there (the 12th in UTC).
        String json = apply(apply(apply(CONTRACT, "REMOVE:terms_days"), "REMOVE_SCHEDULE"),
                "SET:occurred_at:\"2026-01-13T01:30:00+08:00\"");
        CashEvent c = parser.parseCash(bytes(json), Instant.parse("2026-01-12T18:00:00Z").toEpochMilli());
        assertThat(c.termsDays).isEqualTo(30);
        assertThat(c.schedule).hasSize(1);
        assertThat(c.schedule[0].invoiceOn).isEqualTo("2026-01-13");
        assertThat(c.schedule[0].amount).isEqualTo(36000.0);
    }

    @Test
    void parsesAnInvoiceAndAPayment() throws Exception {
        CashEvent i = parser.parseCash(bytes(INVOICE), RECEIVED);
        assertThat(i.isInvoice()).isTrue();
        assertThat(i.invoiceId).isEqualTo("inv-0042-1");
        // Due in the future: not a device clock running ahead.
        assertThat(i.dueAt).isEqualTo(Instant.parse("2026-02-26T02:05:00Z").toEpochMilli());
        CashEvent p = parser.parseCash(bytes(PAYMENT), RECEIVED);
        assertThat(p.isPayment()).isTrue();
        assertThat(p.amount).isEqualTo(5000.0);
        assertThat(p.dueAt).isZero();
        assertThat(p.importId).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unknown kind          | C | SET:kind:\"refund\" | unknown_value | 'kind' is 'refund'",
        "no kind               | C | REMOVE:kind | missing_field | 'kind'",
        "no contract id        | C | REMOVE:contract_id | missing_field | 'contract_id'",
        "no customer           | I | REMOVE:customer_id | missing_field | 'customer_id'",
        "no amount             | P | REMOVE:amount | missing_field | 'amount'",
        "amount as text        | P | SET:amount:\"5000\" | wrong_type | 'amount' must be a number",
        "zero amount           | P | SET:amount:0 | out_of_range | 'amount' must be above 0",
        "negative amount       | I | SET:amount:-12000 | out_of_range | 'amount' must be above 0",
        "infinite amount       | C | SET:amount:1e400 | out_of_range | not a finite number",
        "no invoice id         | P | REMOVE:invoice_id | missing_field | 'invoice_id'",
        "invoice without due   | I | REMOVE:due_at | missing_field | 'due_at'",
        "due before issue      | I | SET:due_at:\"2026-01-11T10:05:00+08:00\" | out_of_range | before 'occurred_at'",
        "bad due time          | I | SET:due_at:\"next month\" | bad_timestamp | 'due_at'",
        "terms beyond a year   | C | SET:terms_days:400 | out_of_range | 'terms_days' must be between 0 and 365",
        "fractional terms      | C | SET:terms_days:30.5 | wrong_type | 'terms_days' must be a whole number",
        "schedule off the sum  | C | SET_SCHEDULE:[{\"invoice_on\":\"2026-01-12\",\"amount\":12000.0}] | out_of_range | sum to 12000.00, but 'amount' is 36000.00",
        "schedule not a list   | C | SET_SCHEDULE:\"monthly\" | wrong_type | 'schedule' must be an array",
        "empty schedule        | C | SET_SCHEDULE:[] | out_of_range | 'schedule' is empty",
        "bad schedule date     | C | SET_SCHEDULE:[{\"invoice_on\":\"2026-02-30\",\"amount\":36000.0}] | bad_timestamp | 'schedule[0].invoice_on'",
        "negative installment  | C | SET_SCHEDULE:[{\"invoice_on\":\"2026-02-01\",\"amount\":-1.0},{\"invoice_on\":\"2026-03-01\",\"amount\":36001.0}] | out_of_range | 'schedule[0].amount' must be above 0",
        "future clock          | P | SET:occurred_at:\"2026-01-13T10:05:00+08:00\" | bad_timestamp | device clock is ahead",
    })
    void rejectsWithAReasonAPersonCanActOn(String name, String which, String change, String code, String says) {
        String base = switch (which.trim()) {
            case "C" -> CONTRACT;
            case "I" -> INVOICE;
            default -> PAYMENT;
        };
        String json = apply(base, change.trim());
        assertThatThrownBy(() -> parser.parseCash(bytes(json), RECEIVED))
                .isInstanceOfSatisfying(InvalidEventException.class, e -> {
                    assertThat(e.code()).isEqualTo(code.trim());
                    assertThat(e.getMessage()).contains(says.trim());
                });
    }

    @Test
    void aScheduleMayMissTheAmountByAFen() throws Exception {
        String json = apply(CONTRACT, "SET_SCHEDULE:[{\"invoice_on\":\"2026-01-12\",\"amount\":12000.0},"
                + "{\"invoice_on\":\"2026-02-12\",\"amount\":23999.995}]");
        assertThat(parser.parseCash(bytes(json), RECEIVED).schedule).hasSize(2);
    }

    private static String apply(String json, String change) {
        try {
            ObjectNode n = (ObjectNode) Json.MAPPER.readTree(json);
            if (change.equals("REMOVE_SCHEDULE")) {
                n.remove("schedule");
            } else if (change.startsWith("REMOVE:")) {
                n.remove(change.substring(7));
            } else if (change.startsWith("SET_SCHEDULE:")) {
                n.set("schedule", Json.MAPPER.readTree(change.substring(13)));
            } else if (change.startsWith("SET:")) {
                String[] p = change.substring(4).split(":", 2);
                if (p[1].equals("1e400")) {
                    return Json.MAPPER.writeValueAsString(n).replaceAll("\"" + p[0] + "\":[0-9.]+", "\"" + p[0]
                            + "\":1e400");
                }
                n.set(p[0], Json.MAPPER.readTree(p[1]));
            }
            return Json.MAPPER.writeValueAsString(n);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
