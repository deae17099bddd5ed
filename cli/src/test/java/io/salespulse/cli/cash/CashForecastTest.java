package io.salespulse.cli.cash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.salespulse.cli.cash.CashBook.Contract;
import io.salespulse.cli.cash.CashBook.Installment;
import io.salespulse.cli.cash.CashBook.Invoice;
import io.salespulse.cli.cash.CashBook.Opportunity;
import io.salespulse.cli.cash.CashBook.Payment;
import io.salespulse.cli.cash.CashForecast.Forecast;
import io.salespulse.cli.cash.CashForecast.Month;
import io.salespulse.cli.cash.DayCurve.Observation;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The forecast's model on small books whose answer is known by hand. */
class CashForecastTest {
    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    /** 2026-03-10 10:00 in Shanghai. */
    private static final Instant NOW = Instant.parse("2026-03-10T02:00:00Z");
    /** Without the common uncertainties, so that certain timing gives an interval of one value. */
    private static final CashForecast.Settings SETTINGS = new CashForecast.Settings(3, 1000, 7, ZONE, 0, 0);

    @Test
    void kaplanMeierKeepsUnpaidMoneyWaitingAndLostRunsNeverHappen() {
        // 100 paid on day 10; 100 still unpaid, last seen on day 5: like the paid ones from then on.
        DayCurve c = DayCurve.kaplanMeier(List.of(new Observation(10, 100, true), new Observation(5, 100, false)),
                -90, 400);
        assertThat(c.p(10)).isCloseTo(1.0, within(1e-9));
        // One run won on day 3, one lost (never wins): half wins, half is beyond.
        DayCurve w = DayCurve.kaplanMeier(List.of(new Observation(3, 1, true), new Observation(400, 1, false)), 0, 400);
        assertThat(w.p(3)).isCloseTo(0.5, within(1e-9));
        assertThat(w.beyond()).isCloseTo(0.5, within(1e-9));
        // Unpaid on day 3 of a curve paying on days 2 and 6 half each: all of what is left comes on day 6.
        DayCurve both = DayCurve.kaplanMeier(List.of(new Observation(2, 1, true), new Observation(6, 1, true)), -90, 400);
        DayCurve left = both.givenNothingBy(3);
        assertThat(left.p(3)).isCloseTo(1.0, within(1e-9));
        assertThat(both.then(DayCurve.at(10)).p(16)).isCloseTo(0.5, within(1e-9));
    }

    @Test
    void anOpenInvoiceLandsWhenItsRegionUsuallyPays() {
        List<Invoice> invoices = new ArrayList<>();
        List<Payment> payments = new ArrayList<>();
        // Region hz-west pays 10 days after due, hz-east 40 days after; 30 paid invoices each.
        history(invoices, payments, "hz-west", 10);
        history(invoices, payments, "hz-east", 40);
        // Open: 1,000 due on 2026-03-15 in each region.
        invoices.add(new Invoice("w-open", "cw-open", "hz-west", NOW.minus(Duration.ofDays(25)), at("2026-03-15"), 1000));
        invoices.add(new Invoice("e-open", "ce-open", "hz-east", NOW.minus(Duration.ofDays(25)), at("2026-03-15"), 1000));
        Forecast f = CashForecast.make(new CashBook(List.of(), invoices, payments, List.of()), NOW, SETTINGS);

        assertThat(f.meanDelayDays().get("hz-west")).isCloseTo(10, within(0.01));
        assertThat(f.meanDelayDays().get("hz-east")).isCloseTo(40, within(0.01));
        // West: on 03-25 (March); east: on 04-24 (April).
        assertThat(month(f, "hz-west", "2026-03-01").invoiced()).isCloseTo(1000, within(0.01));
        assertThat(month(f, "hz-east", "2026-03-01").invoiced()).isCloseTo(0, within(0.01));
        assertThat(month(f, "hz-east", "2026-04-01").invoiced()).isCloseTo(1000, within(0.01));
        assertThat(month(f, "", "2026-03-01").expected()).isCloseTo(1000, within(0.01));
        // Certain timing: the interval is the value.
        assertThat(month(f, "", "2026-04-01").low()).isCloseTo(1000, within(0.01));
        assertThat(month(f, "", "2026-04-01").high()).isCloseTo(1000, within(0.01));
    }

    @Test
    void anInvoiceUnpaidLongerThanAnyTheHistorySawPaidIsInNoMonthButSaidSo() {
        List<Invoice> invoices = new ArrayList<>();
        List<Payment> payments = new ArrayList<>();
        history(invoices, payments, "hz-west", 10);
        // 1,000 due 20 days ago: the region always paid 10 days after due, so the history cannot place it.
        invoices.add(new Invoice("late", "c-late", "hz-west", NOW.minus(Duration.ofDays(50)),
                NOW.minus(Duration.ofDays(20)), 1000));
        // 500 due in 5 days: placed (in March), not counted as unplaced.
        invoices.add(new Invoice("soon", "c-soon", "hz-west", NOW.minus(Duration.ofDays(25)),
                NOW.plus(Duration.ofDays(5)), 500));
        Forecast f = CashForecast.make(new CashBook(List.of(), invoices, payments, List.of()), NOW, SETTINGS);

        // The late invoice is in the history too, unpaid 20 days after due: a quarter of the money (1,000 of 4,000)
        // is unpaid beyond anything seen paid, so a quarter of the soon one is not placed either: 1,000 + 125.
        assertThat(f.unplaced()).isCloseTo(1125, within(0.01));
        assertThat(month(f, "", "2026-03-01").invoiced()).isCloseTo(375, within(0.01));
        assertThat(f.months().stream().mapToDouble(Month::invoiced).sum() / 2).isCloseTo(375, within(0.01));
    }

    @Test
    void installmentsNotInvoicedYetFollowTermsAndDelay() {
        List<Invoice> invoices = new ArrayList<>();
        List<Payment> payments = new ArrayList<>();
        history(invoices, payments, "hz-west", 10);
        // Signed 03-01 for 3,000: 1,000 invoiced on signing (paid), 2,000 on 04-01, 30 days terms -> due 05-01, paid 05-11.
        Contract c = new Contract("c-new", "cust-new", "hz-west", at("2026-03-01"), 3000, 30,
                List.of(new Installment(LocalDate.parse("2026-03-01"), 1000), new Installment(LocalDate.parse("2026-04-01"), 2000)));
        invoices.add(new Invoice("i-new-1", "c-new", "hz-west", at("2026-03-01"), at("2026-03-31"), 1000));
        Forecast f = CashForecast.make(new CashBook(List.of(c), invoices, payments, List.of()), NOW, SETTINGS);
        assertThat(month(f, "hz-west", "2026-04-01").invoiced()).isCloseTo(1000, within(0.01)); // 03-31 + 10
        assertThat(month(f, "hz-west", "2026-05-01").scheduled()).isCloseTo(2000, within(0.01));
        assertThat(month(f, "hz-west", "2026-04-01").scheduled()).isCloseTo(0, within(0.01));
    }

    @Test
    void openOpportunitiesCountByTheirStagesWinChance() {
        List<Invoice> invoices = new ArrayList<>();
        List<Payment> payments = new ArrayList<>();
        history(invoices, payments, "hz-west", 0);
        List<Opportunity> runs = new ArrayList<>();
        List<Contract> contracts = new ArrayList<>();
        // 40 past runs from proposal: half won 5 days after reaching it, half lost. Contracts signed on the win day,
        // 10,000 each, one invoice, 10 days terms.
        for (int n = 0; n < 40; n++) {
            Instant proposal = NOW.minus(Duration.ofDays(120 + n));
            boolean won = n % 2 == 0;
            Instant closing = proposal.plus(Duration.ofDays(5));
            runs.add(new Opportunity("old-" + n, "hz-west", Arrays.asList(proposal, proposal, proposal, null, closing),
                    won ? closing : null, won ? null : closing, 10_000.0));
            if (won) {
                contracts.add(new Contract("k-" + n, "old-" + n, "hz-west", closing, 10_000, 10, List.of()));
                Instant due = closing.plus(Duration.ofDays(10));
                invoices.add(new Invoice("ki-" + n, "k-" + n, "hz-west", closing, due, 10_000));
                payments.add(new Payment("ki-" + n, "k-" + n, due, 10_000));
            }
        }
        // Today: one customer reached proposal yesterday, worth 50,000: expected 25,000, about 5 + 10 days from now.
        Instant yesterday = NOW.minus(Duration.ofDays(1));
        runs.add(new Opportunity("new", "hz-west", Arrays.asList(yesterday, yesterday, yesterday, null, null), null, null,
                50_000.0));
        Forecast f = CashForecast.make(new CashBook(contracts, invoices, payments, runs), NOW, SETTINGS);
        assertThat(f.winChance()[2]).isCloseTo(0.5, within(1e-9));
        assertThat(month(f, "hz-west", "2026-03-01").pipeline()).isCloseTo(25_000, within(0.01));
        // A coin flip of 50,000: the 80% interval spans nothing to all of it.
        assertThat(month(f, "hz-west", "2026-03-01").low()).isZero();
        assertThat(month(f, "hz-west", "2026-03-01").high()).isCloseTo(50_000, within(0.01));
    }

    /** 30 invoices of 100 in a region, due over the last months and paid {@code delay} days after due. */
    private static void history(List<Invoice> invoices, List<Payment> payments, String region, int delay) {
        for (int n = 0; n < 30; n++) {
            Instant due = NOW.minus(Duration.ofDays(60 + delay + 2 * n));
            String id = region + "-h" + n;
            invoices.add(new Invoice(id, "c-" + id, region, due.minus(Duration.ofDays(30)), due, 100));
            payments.add(new Payment(id, "c-" + id, due.plus(Duration.ofDays(delay)), 100));
        }
    }

    private static Instant at(String day) {
        return LocalDate.parse(day).atTime(12, 0).atZone(ZONE).toInstant();
    }

    private static Month month(Forecast f, String region, String month) {
        return f.months().stream().filter(m -> m.region().equals(region) && m.month().equals(LocalDate.parse(month)))
                .findFirst().orElseThrow(() -> new AssertionError("no month " + month + " for '" + region + "'"));
    }
}
