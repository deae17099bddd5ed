package io.salespulse.pipeline.funnel;

import io.salespulse.contract.Alert;
import io.salespulse.contract.Stage;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Per (tenant, team): the daily forecast digest (alert type {@code digest}, rows in {@code forecast_digests}).
 *
 * <p>At each digest time D (digest.time, local) every open customer falls in a class: its stage x whether it is
 * past the stage's SLA (time in stage). The forecast for the next 7 days is the sum over classes of
 * customers x the class's recent rate, where the recent rate is measured on this team's own earlier digests:
 * of the customers in the class at digests D' in [D - 35d, D - 7d], the share won within 7 days of D'. A class
 * with fewer than 10 such customers borrows the rate of its stage (both classes pooled). Customers who are not
 * open yet but will be won within 7 days are added as the average of such wins per earlier digest. At risk = open,
 * overdue and high potential.
 *
 * <p>State: the open customers (with the digest days of the last week they were counted on, so a win can be
 * credited to those days) and one {@link DigestDay} per digest of the last 36 days. One timer: the next
 * digest, while the team has open customers.
 */
public final class ForecastDigest extends KeyedProcessFunction<String, CustomerSnapshot, Alert> {
    private static final long serialVersionUID = 1L;
    static final int CLASSES = Stage.values().length * 2;
    static final long DAY = 86_400_000L;
    static final long HORIZON = 7 * DAY;
    static final long HISTORY = 28 * DAY;
    static final int MIN_CLASS_HISTORY = 10;

    public static final OutputTag<DigestRow> ROWS = new OutputTag<>("funnel-digest-rows") {};

    private final FunnelSettings settings;
    private transient MapState<String, OpenCustomer> open;
    private transient MapState<Long, DigestDay> days;

    public ForecastDigest(FunnelSettings settings) {
        this.settings = settings;
    }

    public static String key(String tenant, String team) {
        return tenant + '\u001f' + team;
    }

    @Override
    public void open(OpenContext openContext) {
        open = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("digest-open-customers", Types.STRING, Types.POJO(OpenCustomer.class)));
        days = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("digest-days", Types.LONG, Types.POJO(DigestDay.class)));
    }

    @Override
    public void processElement(CustomerSnapshot s, Context ctx, Collector<Alert> out) throws Exception {
        OpenCustomer c = open.get(s.customerId);
        if (CustomerSnapshot.OPEN.equals(s.status)) {
            if (c == null) {
                c = new OpenCustomer();
            }
            c.rep = s.rep;
            c.region = s.region;
            c.stage = s.stage;
            c.stageEnteredAt = s.stageEnteredAt;
            c.highPotential = s.highPotential;
            open.put(s.customerId, c);
            ctx.timerService().registerEventTimeTimer(nextDigest(s.at));
            return;
        }
        if (CustomerSnapshot.WON.equals(s.status)) {
            // Credit the win to every digest of the last 7 days: to the class the customer had there, or as a
            // new customer when it was not open at that digest.
            for (Map.Entry<Long, DigestDay> d : days.entries()) {
                if (s.at < d.getKey() || s.at >= d.getKey() + HORIZON) {
                    continue;
                }
                int cls = -1;
                for (int i = 0; c != null && i < c.digestDays.length; i++) {
                    if (c.digestDays[i] == d.getKey()) {
                        cls = c.digestClasses[i];
                    }
                }
                DigestDay day = d.getValue();
                if (cls >= 0) {
                    day.wonWithin7d[cls]++;
                } else {
                    day.newWonWithin7d++;
                }
                days.put(d.getKey(), day);
            }
        }
        if (c != null) {
            open.remove(s.customerId);
        }
    }

    @Override
    public void onTimer(long digestAt, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        double[] rates = rates(digestAt);
        double newWins = rates[CLASSES];
        DigestDay today = new DigestDay();
        long[] customers = new long[Stage.values().length];
        long[] overdue = new long[Stage.values().length];
        long[] atRisk = new long[Stage.values().length];
        double[] expected = new double[Stage.values().length];
        String region = "";
        List<String> riskyReps = new ArrayList<>();
        for (Iterator<Map.Entry<String, OpenCustomer>> it = open.iterator(); it.hasNext();) {
            Map.Entry<String, OpenCustomer> e = it.next();
            OpenCustomer c = e.getValue();
            Stage stage = Stage.fromCode(c.stage).orElseThrow();
            boolean late = digestAt > c.stageEnteredAt + settings.sla.of(stage).toMillis();
            int cls = stage.rank() * 2 + (late ? 1 : 0);
            today.open[cls]++;
            customers[stage.rank()]++;
            expected[stage.rank()] += rates[cls];
            if (late) {
                overdue[stage.rank()]++;
                if (c.highPotential) {
                    atRisk[stage.rank()]++;
                    riskyReps.add(c.rep);
                }
            }
            region = c.region;
            remember(c, digestAt, cls);
            e.setValue(c);
        }
        long total = 0;
        for (long n : customers) {
            total += n;
        }
        if (total > 0) {
            days.put(digestAt, today);
            String[] key = ctx.getCurrentKey().split("\u001f");
            List<DigestRow> rows = FunnelText.digestRows(key[0], region, key[1], digestAt, customers, overdue, atRisk,
                    expected, newWins);
            Alert alert = FunnelText.digestAlert(rows, riskyReps, settings, ctx.timerService().currentProcessingTime());
            rows.get(rows.size() - 1).message = alert.message;
            rows.forEach(r -> ctx.output(ROWS, r));
            out.collect(alert);
            ctx.timerService().registerEventTimeTimer(nextDigest(digestAt));
        }
        for (Iterator<Long> it = days.keys().iterator(); it.hasNext();) {
            if (it.next() < digestAt - HISTORY - HORIZON - DAY) {
                it.remove();
            }
        }
    }

    /** Recent rate per class, from the digests whose 7 days have fully passed. */
    private double[] rates(long digestAt) throws Exception {
        long[] seen = new long[CLASSES];
        long[] won = new long[CLASSES];
        long digests = 0;
        long newWon = 0;
        for (Map.Entry<Long, DigestDay> d : days.entries()) {
            if (d.getKey() <= digestAt - HORIZON && d.getKey() >= digestAt - HORIZON - HISTORY) {
                digests++;
                newWon += d.getValue().newWonWithin7d;
                for (int i = 0; i < CLASSES; i++) {
                    seen[i] += d.getValue().open[i];
                    won[i] += d.getValue().wonWithin7d[i];
                }
            }
        }
        // The last slot: customers not open yet that are won within 7 days, on average per digest.
        double[] rates = new double[CLASSES + 1];
        rates[CLASSES] = digests == 0 ? 0 : (double) newWon / digests;
        for (int i = 0; i < CLASSES; i++) {
            int sibling = i ^ 1;
            if (seen[i] >= MIN_CLASS_HISTORY) {
                rates[i] = (double) won[i] / seen[i];
            } else if (seen[i] + seen[sibling] > 0) {
                rates[i] = (double) (won[i] + won[sibling]) / (seen[i] + seen[sibling]);
            }
        }
        return rates;
    }

    /** Keeps the digest days of the last 7 days the customer was counted on (a win can only credit those). */
    private static void remember(OpenCustomer c, long digestAt, int cls) {
        int keep = 0;
        for (long d : c.digestDays) {
            if (d > digestAt - HORIZON) {
                keep++;
            }
        }
        long[] dd = new long[keep + 1];
        int[] cc = new int[keep + 1];
        int j = 0;
        for (int i = 0; i < c.digestDays.length; i++) {
            if (c.digestDays[i] > digestAt - HORIZON) {
                dd[j] = c.digestDays[i];
                cc[j++] = c.digestClasses[i];
            }
        }
        dd[j] = digestAt;
        cc[j] = cls;
        c.digestDays = dd;
        c.digestClasses = cc;
    }

    /** The first digest time strictly after {@code at}. */
    long nextDigest(long at) {
        ZonedDateTime t = Instant.ofEpochMilli(at).atZone(settings.zone());
        ZonedDateTime d = t.toLocalDate().atTime(settings.digestTime).atZone(settings.zone());
        if (!d.isAfter(t)) {
            d = d.plusDays(1);
        }
        return d.toInstant().toEpochMilli();
    }
}
