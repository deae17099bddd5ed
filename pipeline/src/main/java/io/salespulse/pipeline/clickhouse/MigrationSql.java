package io.salespulse.pipeline.clickhouse;

/**
 * Turns a migration file into the single statement sent to ClickHouse: comments and the optional
 * final semicolon removed (the HTTP interface takes one statement per request), and a file holding
 * more than one statement refused, so a half-applied file can never be recorded as applied.
 */
final class MigrationSql {

    private MigrationSql() {}

    static String singleStatement(String fileName, String sql) {
        StringBuilder out = new StringBuilder(sql.length());
        boolean statementEnded = false;
        int i = 0;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == '-' && i + 1 < sql.length() && sql.charAt(i + 1) == '-') {
                while (i < sql.length() && sql.charAt(i) != '\n') {
                    i++;
                }
                continue;
            }
            if (c == '/' && i + 1 < sql.length() && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                if (end < 0) {
                    throw new IllegalStateException("Migration " + fileName + ": unterminated /* comment");
                }
                i = end + 2;
                out.append(' ');
                continue;
            }
            if (c == ';') {
                statementEnded = true;
                i++;
                continue;
            }
            if (!Character.isWhitespace(c) && statementEnded) {
                throw new IllegalStateException(
                        "Migration " + fileName + " holds more than one statement; put each in its own file");
            }
            if (c == '\'' || c == '"' || c == '`') {
                int end = endOfQuoted(sql, i, c);
                if (end < 0) {
                    throw new IllegalStateException(
                            "Migration " + fileName + ": unterminated " + c + " quote");
                }
                out.append(sql, i, end + 1);
                i = end + 1;
                continue;
            }
            out.append(c);
            i++;
        }
        String statement = out.toString().strip();
        if (statement.isEmpty()) {
            throw new IllegalStateException("Migration " + fileName + " holds no statement");
        }
        return statement;
    }

    /** Index of the quote closing the one at {@code start}; ClickHouse escapes with \ or doubling. */
    private static int endOfQuoted(String sql, int start, char quote) {
        int i = start + 1;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (c == quote) {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
                    i += 2;
                } else {
                    return i;
                }
            } else {
                i++;
            }
        }
        return -1;
    }
}
