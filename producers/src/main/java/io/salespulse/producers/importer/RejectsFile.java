package io.salespulse.producers.importer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.contract.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * {@code <FILE>.rejected.jsonl} next to each input file: one JSON object per record that was not sent,
 * {@code {"line":12,"code":"bad_timestamp","message":"...","raw":"..."}}. Written anew by every run, so it only
 * ever lists the rejects of the latest run; a run without rejects removes it.
 */
public final class RejectsFile {
    private RejectsFile() {}

    public static Path of(Path input) {
        return input.resolveSibling(input.getFileName() + ".rejected.jsonl");
    }

    /** Replaces the rejects file of {@code input} with these rejects (or removes it when there are none). */
    static void write(Path input, List<Reject> rejects) throws IOException {
        Path file = of(input);
        if (rejects.isEmpty()) {
            Files.deleteIfExists(file);
            return;
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            writeLines(out, rejects);
        }
    }

    /** Adds rejects found later (the gateway's refusals) to the rejects file of {@code input}. */
    static void append(Path input, List<Reject> rejects) throws IOException {
        try (OutputStream out = Files.newOutputStream(of(input), StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            writeLines(out, rejects);
        }
    }

    private static void writeLines(OutputStream out, List<Reject> rejects) throws IOException {
        for (Reject r : rejects) {
            ObjectNode n = Json.MAPPER.createObjectNode();
            n.put("line", r.line());
            n.put("code", r.code());
            n.put("message", r.message());
            n.put("raw", r.raw());
            out.write(Json.bytes(n));
            out.write('\n');
        }
    }
}
