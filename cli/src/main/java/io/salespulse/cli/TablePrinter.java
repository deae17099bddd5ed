package io.salespulse.cli;

import java.io.PrintWriter;
import java.util.List;

/**
 * Prints a query result as an aligned text table. Chinese characters take two terminal columns, so
 * widths are counted in display columns, not characters, or the alert texts would break the layout.
 */
final class TablePrinter {
    private TablePrinter() {}

    static void print(ClickHouse.Table table, PrintWriter out) {
        int n = table.columns().size();
        int[] width = new int[n];
        for (int i = 0; i < n; i++) {
            width[i] = displayWidth(table.columns().get(i));
        }
        for (List<String> row : table.rows()) {
            for (int i = 0; i < n; i++) {
                width[i] = Math.max(width[i], displayWidth(oneLine(row.get(i))));
            }
        }
        printRow(table.columns(), width, out);
        StringBuilder rule = new StringBuilder();
        for (int i = 0; i < n; i++) {
            rule.append(i == 0 ? "" : "-+-").append("-".repeat(width[i]));
        }
        out.println(rule);
        for (List<String> row : table.rows()) {
            printRow(row, width, out);
        }
        out.println("(" + table.rows().size() + (table.rows().size() == 1 ? " row)" : " rows)"));
        out.flush();
    }

    private static void printRow(List<String> cells, int[] width, PrintWriter out) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String cell = oneLine(cells.get(i));
            line.append(i == 0 ? "" : " | ").append(cell);
            if (i < cells.size() - 1) {
                line.append(" ".repeat(width[i] - displayWidth(cell)));
            }
        }
        out.println(line);
    }

    /** Newlines inside a value would tear the table apart. */
    private static String oneLine(String s) {
        return s.replace("\r", "").replace("\n", "\\n").replace("\t", " ");
    }

    static int displayWidth(String s) {
        int w = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            w += wide(cp) ? 2 : 1;
            i += Character.charCount(cp);
        }
        return w;
    }

    /** East Asian wide and full-width ranges (CJK, Hangul, kana, full-width forms, CJK punctuation). */
    private static boolean wide(int cp) {
        return (cp >= 0x1100 && cp <= 0x115F)
                || (cp >= 0x2E80 && cp <= 0xA4CF)
                || (cp >= 0xAC00 && cp <= 0xD7A3)
                || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0xFE30 && cp <= 0xFE4F)
                || (cp >= 0xFF00 && cp <= 0xFF60)
                || (cp >= 0xFFE0 && cp <= 0xFFE6)
                || (cp >= 0x1F300 && cp <= 0x1FAFF)
                || (cp >= 0x20000 && cp <= 0x3FFFD);
    }
}
