package io.salespulse.cli;

import io.salespulse.producers.gateway.GatewayPoster;
import io.salespulse.producers.importer.HistoryImporter;
import io.salespulse.producers.importer.ImportFailure;
import io.salespulse.producers.importer.ImportFormat;
import io.salespulse.producers.importer.ImportKind;
import io.salespulse.producers.importer.ImportPlan;
import io.salespulse.producers.importer.ImportSummary;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** A tenant's history (CSV or JSON Lines exports) through the gateway as one import session (docs/imports.md). */
@Command(name = "import",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {"Import a tenant's history (stage cards, visits, acks from CSV or JSON Lines files) through the",
            "ingest gateway as one import session: every record is checked first, bad ones go to <FILE>.rejected.jsonl,",
            "the valid ones are sent in occurred_at order, and the session is completed once the gateway has them all.",
            "The token comes from SALESPULSE_GATEWAY_TOKEN or --token-file."},
        footer = {"", "Exit code: 0 when the import is complete (rejected records are listed in the summary), 1 when",
            "nothing was valid or the session could not be opened or completed, 2 for bad options."})
final class ImportCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "History files: .jsonl/.ndjson/.json or .csv")
    List<Path> files;

    @Option(names = "--tenant", required = true, description = "The tenant the history belongs to (fills a missing "
            + "tenant; records of other tenants are rejected)")
    String tenant;

    @Option(names = "--gateway-url", defaultValue = "${env:SALESPULSE_GATEWAY_URL:-http://127.0.0.1:8080}",
            description = "Ingest gateway (default: ${DEFAULT-VALUE}; env SALESPULSE_GATEWAY_URL)")
    String gatewayUrl;

    @Option(names = "--token-file", paramLabel = "<file>",
            description = "File holding the tenant's token (default: env SALESPULSE_GATEWAY_TOKEN)")
    Path tokenFile;

    @Option(names = "--import-id", paramLabel = "<id>",
            description = "The session's id; give the id of an unfinished import to finish it (default: a new one)")
    String importId;

    @Option(names = "--batch", defaultValue = "500", description = "Records per gateway request (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--format", defaultValue = "auto",
            description = "auto (from the file name), jsonl or csv (default: ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--kind", defaultValue = "auto", description = "Kind of the records without a kind field: auto "
            + "(a record with stage is a card, with alert_id an ack, else a visit), stages, visits, acks, contracts, "
            + "invoices or payments "
            + "(default: ${DEFAULT-VALUE})")
    String kind;

    @Option(names = "--description", paramLabel = "<text>", description = "What this import is, kept with the session")
    String description;

    @Option(names = "--dry-run", description = "Read and check the files and print the summary; send nothing")
    boolean dryRun;

    @Option(names = "--no-progress", description = "Do not draw the progress bar on stderr")
    boolean noProgress;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        HistoryImporter importer;
        try {
            importer = new HistoryImporter(new HistoryImporter.Options(tenant, importId, description, format(),
                    kind(), batch));
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), 2);
        }
        GatewayPoster gateway = dryRun ? null : gateway();
        try (ImportPlan plan = importer.read(files)) {
            if (plan.valid() == 0) {
                print(out, plan.unsentSummary());
                throw new UserError("no record of " + files + " is valid: nothing was sent", 1);
            }
            if (dryRun) {
                print(out, plan.unsentSummary());
                return 0;
            }
            ProgressBar progress = new ProgressBar(noProgress ? null : System.err);
            ImportSummary summary = importer.send(plan, gateway, progress);
            progress.done();
            print(out, summary);
            return 0;
        } catch (ImportFailure | IOException e) {
            throw new UserError(SalesPulse.messageChain(e), 1);
        }
    }

    private ImportFormat format() {
        return format.equalsIgnoreCase("auto") ? null : ImportFormat.fromCode(format)
                .orElseThrow(() -> new UserError("--format must be auto, jsonl or csv, got '" + format + "'", 2));
    }

    private ImportKind kind() {
        return kind.equalsIgnoreCase("auto") ? null : ImportKind.fromCode(kind)
                .orElseThrow(() -> new UserError("--kind must be auto, stages, visits, acks, contracts, invoices or payments, got '" + kind + "'", 2));
    }

    private GatewayPoster gateway() {
        String token;
        if (tokenFile != null) {
            try {
                token = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new UserError("--token-file " + tokenFile + " cannot be read: " + e.getMessage(), 2);
            }
        } else {
            token = System.getenv("SALESPULSE_GATEWAY_TOKEN");
        }
        if (token == null || token.isBlank()) {
            throw new UserError("import needs the tenant's token: set SALESPULSE_GATEWAY_TOKEN or give --token-file", 2);
        }
        try {
            return new GatewayPoster(gatewayUrl, token, 10);
        } catch (IllegalArgumentException e) {
            throw new UserError("--gateway-url: " + e.getMessage(), 2);
        }
    }

    private static void print(PrintWriter out, ImportSummary summary) {
        summary.lines().forEach(out::println);
        out.flush();
    }
}
