package io.salespulse.producers.importer;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.contract.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;

/** JSON Lines: one JSON object per line; blank lines and lines starting with '#' are skipped. */
final class JsonLinesReader implements HistoryReader {
    /** One object per line and nothing after it: "{...} {...}" on one line is an error, not the first object. */
    private static final ObjectReader LINE = Json.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    @Override
    public void read(Path file, Records out) throws IOException {
        try (BufferedReader in = HistoryReader.open(file)) {
            long number = 0;
            String line;
            while ((line = in.readLine()) != null) {
                number++;
                String text = line.strip();
                if (text.isEmpty() || text.startsWith("#")) {
                    continue;
                }
                JsonNode node;
                try {
                    node = LINE.readTree(text);
                } catch (IOException e) {
                    out.accept(SourceRecord.unreadable(number, line, "not_json", "the line is not valid JSON: "
                            + firstLine(e.getMessage())));
                    continue;
                }
                if (node instanceof ObjectNode object) {
                    out.accept(SourceRecord.of(number, line, object));
                } else {
                    out.accept(SourceRecord.unreadable(number, line, "not_object",
                            "a line must be one JSON object, got " + node.getNodeType().toString().toLowerCase()));
                }
            }
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        String first = nl < 0 ? message : message.substring(0, nl);
        return first.length() <= 120 ? first : first.substring(0, 120) + "…";
    }
}
