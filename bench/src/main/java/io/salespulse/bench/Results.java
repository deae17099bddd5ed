package io.salespulse.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.contract.Json;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The figures of one benchmark run: printed as one table, written as JSON with the same keys and values. */
final class Results {
    /** One figure: {@code key} is stable (the JSON name), {@code target} says what it is judged against, if anything. */
    record Figure(String section, String key, String label, double value, String unit, String target) {}

    private final List<Figure> figures = new ArrayList<>();
    private final Map<String, String> about = new LinkedHashMap<>();

    void about(String key, String value) {
        about.put(key, value);
    }

    void add(String section, String key, String label, double value, String unit, String target) {
        figures.add(new Figure(section, key, label, value, unit, target == null ? "" : target));
    }

    void add(String section, String key, String label, double value, String unit) {
        add(section, key, label, value, unit, null);
    }

    List<Figure> figures() {
        return figures;
    }

    boolean has(String key) {
        return figures.stream().anyMatch(f -> f.key().equals(key));
    }

    double value(String key) {
        return figures.stream().filter(f -> f.key().equals(key)).findFirst().orElseThrow().value();
    }

    void print(PrintStream out) {
        for (Map.Entry<String, String> e : about.entrySet()) {
            out.println(e.getKey() + ": " + e.getValue());
        }
        int w = 12;
        for (Figure f : figures) {
            w = Math.max(w, f.label().length());
        }
        String fmt = "%-11s %-" + w + "s %14s %-10s %s%n";
        out.printf(fmt, "section", "figure", "value", "unit", "target");
        String section = "";
        for (Figure f : figures) {
            out.printf(fmt, f.section().equals(section) ? "" : f.section(), f.label(), format(f.value()), f.unit(),
                    f.target());
            section = f.section();
        }
    }

    static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.format("%,d", (long) v);
        }
        return Math.abs(v) >= 100 ? String.format("%,.0f", v) : String.format("%.3f", v);
    }

    void write(Path file) throws Exception {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode a = root.putObject("about");
        about.forEach(a::put);
        ObjectNode values = root.putObject("figures");
        ArrayNode rows = root.putArray("table");
        for (Figure f : figures) {
            values.put(f.key(), f.value());
            ObjectNode r = rows.addObject();
            r.put("section", f.section());
            r.put("key", f.key());
            r.put("label", f.label());
            r.put("value", f.value());
            r.put("unit", f.unit());
            r.put("target", f.target());
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
    }
}
