package io.salespulse.cli;

import io.salespulse.producers.importer.ImportFailure;
import io.salespulse.producers.places.Outlet;
import io.salespulse.producers.places.OutletFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Places for the map (docs/places.md): {@code outlets import} loads customers' and competitors' outlets from a CSV or
 * JSON Lines file into {@code salespulse.outlets}, every line checked, rejected lines reported with their line number
 * and written to {@code dead_letters}; {@code outlets far-distance} sets how far from its outlet a check-in is flagged.
 */
@Command(name = "outlets",
        mixinStandardHelpOptions = true,
        description = "Outlets on the map: load customers' and competitors' outlets; set the far check-in distance.",
        subcommands = {OutletsCommand.Import.class, OutletsCommand.FarDistance.class})
final class OutletsCommand implements Callable<Integer> {
    /** The distance flagged when a tenant has not set one (metres); the view visit_places names it too. */
    static final int DEFAULT_FAR_CHECK_IN_M = 500;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    @Command(name = "import", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Load a tenant's outlets (kind customer or competitor) from a .csv or .jsonl file. Every line",
                "is checked (required fields, kind, coordinates in range and together, each outlet once, customers known);",
                "the valid ones are written, the others listed with their line and reason and kept as dead letters."},
            footer = {"", "Exit code: 0 when some outlets were written (rejected lines are listed), 1 when no line was",
                "valid, 2 for bad options."})
    static final class Import implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "Outlets: .csv (header row of field names) or .jsonl")
        Path file;
        @Option(names = "--tenant", required = true, description = "The tenant the outlets belong to (required)")
        String tenant;
        @Option(names = "--allow-unknown-customers", description = "Accept customer outlets whose customer_id has no"
                + " stage card or visit yet (an outlet list loaded before the history)")
        boolean allowUnknownCustomers;
        @Option(names = "--dry-run", description = "Check the file and print the summary; write nothing")
        boolean dryRun;
        @Mixin
        SilenceCommand.Connection_ ch;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            OutletFile.Result read;
            try {
                read = OutletFile.read(file, tenant);
            } catch (ImportFailure e) {
                throw new UserError(e.getMessage(), 2);
            } catch (IOException e) {
                throw new UserError(file + " cannot be read: " + SalesPulse.messageChain(e), 1);
            }
            String importId = "out-" + STAMP.format(Instant.now()) + "-" + randomSuffix();
            try (ClickHouse c = ch.connect()) {
                List<OutletFile.Reject> rejected = new ArrayList<>(read.rejected());
                List<Outlet> accepted = allowUnknownCustomers ? read.accepted() : knownCustomersOnly(c, read, rejected);
                rejected.sort(Comparator.comparingLong(OutletFile.Reject::line));
                if (!dryRun) {
                    store(c, accepted, file.getFileName().toString(), importId);
                    deadLetters(c, tenant, importId, file.getFileName().toString(), rejected);
                }
                print(spec.commandLine().getOut(), importId, read, accepted, rejected, dryRun);
                if (accepted.isEmpty()) {
                    throw new UserError("no line of " + file + " is a valid outlet: nothing was written", 1);
                }
            }
            return 0;
        }

        /** Customer outlets of customers the tenant has no stage card or visit of are rejected (unknown_customer). */
        private List<Outlet> knownCustomersOnly(ClickHouse c, OutletFile.Result read, List<OutletFile.Reject> rejected)
                throws SQLException {
            Set<String> known = new HashSet<>(c.strings("SELECT DISTINCT customer_id FROM (SELECT customer_id FROM"
                    + " salespulse.stage_events WHERE tenant = " + quote(tenant) + " UNION ALL SELECT customer_id FROM"
                    + " salespulse.visits WHERE tenant = " + quote(tenant) + ")"));
            List<Outlet> out = new ArrayList<>();
            for (Outlet o : read.accepted()) {
                if (o.kind().equals(Outlet.CUSTOMER) && !known.contains(o.outletId())) {
                    OutletFile.Line line = read.lines().get(o);
                    rejected.add(new OutletFile.Reject(line.number(), line.raw(), o.outletId(), "unknown_customer",
                            "customer '" + o.outletId() + "' has no stage card or visit in tenant " + tenant
                                    + "; check the id, or load it with --allow-unknown-customers"));
                } else {
                    out.add(o);
                }
            }
            return out;
        }
    }

    @Command(name = "far-distance", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Set how far (metres) from its outlet a tenant's check-in is flagged on the map (default "
                    + DEFAULT_FAR_CHECK_IN_M + ").")
    static final class FarDistance implements Callable<Integer> {
        @Option(names = "--tenant", required = true, description = "Tenant (required)")
        String tenant;
        @Option(names = "--metres", required = true, description = "Distance in metres, 50..50000")
        int metres;
        @Option(names = "--author", required = true, description = "Who changes it (required)")
        String author;
        @Mixin
        SilenceCommand.Connection_ ch;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (metres < 50 || metres > 50_000) {
                throw new UserError("--metres must be between 50 and 50000 (a phone's position is rarely better than"
                        + " 50 m), got " + metres, 2);
            }
            try (ClickHouse c = ch.connect()) {
                setFarDistance(c, tenant, metres, author);
            }
            spec.commandLine().getOut().println("tenant " + tenant + ": check-ins further than " + metres
                    + " m from their outlet are flagged (by " + author + ")");
            return 0;
        }
    }

    static void setFarDistance(ClickHouse c, String tenant, int metres, String author) throws SQLException {
        TenantSettings.update(c, tenant, author, metres, null);
    }

    /** Writes outlets (the demo's simulated ones too); a later write of the same outlet wins. */
    static void store(ClickHouse c, List<Outlet> outlets, String source, String importId) throws SQLException {
        if (outlets.isEmpty()) {
            return;
        }
        Instant now = Instant.now();
        Connection conn = c.connection();
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO salespulse.outlets (tenant, kind, outlet_id, name,"
                + " region, lat, lon, brand, source, import_id, imported_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
                + " ?, ?, ?)")) {
            for (Outlet o : outlets) {
                ps.setString(1, o.tenant());
                ps.setString(2, o.kind());
                ps.setString(3, o.outletId());
                ps.setString(4, o.name());
                ps.setString(5, o.region());
                ps.setDouble(6, o.lat());
                ps.setDouble(7, o.lon());
                ps.setString(8, o.brand());
                ps.setString(9, source);
                ps.setString(10, importId);
                ps.setObject(11, now.truncatedTo(ChronoUnit.MILLIS));
                ps.setLong(12, ChronoUnit.MICROS.between(Instant.EPOCH, now));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * Rejected lines as dead letters: topic {@code outlets.import/<import id>}, partition 0, offset the line number,
     * so running the same import again replaces its rows and another import's lines never collide with them.
     */
    static void deadLetters(ClickHouse c, String tenant, String importId, String fileName, List<OutletFile.Reject> rejected)
            throws SQLException {
        if (rejected.isEmpty()) {
            return;
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        try (PreparedStatement ps = c.connection().prepareStatement("INSERT INTO salespulse.dead_letters (topic,"
                + " `partition`, `offset`, key, raw, raw_encoding, error_code, error, tenant, received_at, ingested_at)"
                + " VALUES (?, 0, ?, ?, ?, 'utf8', ?, ?, ?, ?, ?)")) {
            for (OutletFile.Reject r : rejected) {
                ps.setString(1, "outlets.import/" + importId);
                ps.setLong(2, r.line());
                ps.setString(3, r.outletId());
                ps.setString(4, r.raw() == null ? "" : r.raw());
                ps.setString(5, r.code());
                ps.setString(6, fileName + " line " + r.line() + ": " + r.message());
                ps.setString(7, tenant);
                ps.setObject(8, now);
                ps.setObject(9, now);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void print(PrintWriter out, String importId, OutletFile.Result read, List<Outlet> accepted,
            List<OutletFile.Reject> rejected, boolean dryRun) {
        long customers = accepted.stream().filter(o -> o.kind().equals(Outlet.CUSTOMER)).count();
        Map<String, Long> byCode = new TreeMap<>();
        rejected.forEach(r -> byCode.merge(r.code(), 1L, Long::sum));
        out.println("Outlets import " + importId + " of " + read.file().getFileName() + (dryRun ? " (dry run, nothing"
                + " written)" : "") + ":");
        out.println("  accepted:  " + accepted.size() + " (" + customers + " customers, " + (accepted.size() - customers)
                + " competitors)");
        out.println("  rejected:  " + rejected.size() + (byCode.isEmpty() ? "" : " " + byCode));
        for (OutletFile.Reject r : rejected) {
            out.println("    line " + r.line() + ": " + r.code() + ": " + r.message());
        }
        if (!rejected.isEmpty() && !dryRun) {
            out.println("The rejected lines are in salespulse.dead_letters (topic outlets.import/" + importId + ").");
        }
        out.flush();
    }

    private static String quote(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private static String randomSuffix() {
        String letters = "abcdefghijkmnpqrstuvwxyz23456789";
        SecureRandom r = new SecureRandom();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            sb.append(letters.charAt(r.nextInt(letters.length())));
        }
        return sb.toString();
    }
}
