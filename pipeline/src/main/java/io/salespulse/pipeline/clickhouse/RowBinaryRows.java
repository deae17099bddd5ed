package io.salespulse.pipeline.clickhouse;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rows encoded in ClickHouse's {@code RowBinary} format, following the table's column types as the server
 * reports them ({@code system.columns}): what the sink sends instead of {@code INSERT ... VALUES} text, so
 * neither side formats or parses values as text.
 *
 * <p>Supported column types are those of our migrations: {@code String}, integers, {@code Float32/64},
 * {@code Bool}, {@code DateTime}, {@code DateTime64(p, tz)}, each optionally {@code Nullable} and/or
 * {@code LowCardinality} (which changes nothing on the wire), and {@code Array(Date)} and {@code Array(Float64)}. A table with another type fails when the
 * writer opens, naming the column; a value that does not fit its column fails naming table and column.
 */
final class RowBinaryRows implements RowValues {
    private static final Pattern DATETIME64 = Pattern.compile("DateTime64\\((\\d+)\\s*(,.*)?\\)");

    private enum Kind { STRING, INT, FLOAT64, FLOAT32, BOOL, DATETIME, DATETIME64, DATE_ARRAY, FLOAT64_ARRAY }

    /** One column: how its values go on the wire. */
    record Column(String name, String type, Kind kind, boolean nullable, int bytes, boolean unsigned, int scale) {}

    private final String table;
    private final Column[] columns;
    private byte[] buf = new byte[64 * 1024];
    private int size;
    private int column;
    private int rows;

    RowBinaryRows(String table, List<String> names, List<String> types) {
        if (names.size() != types.size()) {
            throw new IllegalArgumentException(names.size() + " column names but " + types.size() + " types");
        }
        this.table = table;
        List<Column> cs = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            cs.add(parse(table, names.get(i), types.get(i)));
        }
        this.columns = cs.toArray(new Column[0]);
    }

    /** The wire layout of a column of ClickHouse type {@code type}. */
    static Column parse(String table, String name, String type) {
        String t = type.trim();
        boolean nullable = false;
        while (true) {
            if (t.startsWith("LowCardinality(") && t.endsWith(")")) {
                t = t.substring("LowCardinality(".length(), t.length() - 1).trim();
            } else if (t.startsWith("Nullable(") && t.endsWith(")")) {
                t = t.substring("Nullable(".length(), t.length() - 1).trim();
                nullable = true;
            } else {
                break;
            }
        }
        Matcher dt64 = DATETIME64.matcher(t);
        if (dt64.matches()) {
            return new Column(name, type, Kind.DATETIME64, nullable, 8, false, Integer.parseInt(dt64.group(1)));
        }
        if (t.equals("DateTime") || t.startsWith("DateTime(")) {
            return new Column(name, type, Kind.DATETIME, nullable, 4, true, 0);
        }
        switch (t) {
            case "String":
                return new Column(name, type, Kind.STRING, nullable, 0, false, 0);
            case "Bool":
                return new Column(name, type, Kind.BOOL, nullable, 1, true, 0);
            case "Float64":
                return new Column(name, type, Kind.FLOAT64, nullable, 8, false, 0);
            case "Float32":
                return new Column(name, type, Kind.FLOAT32, nullable, 4, false, 0);
            case "Array(Date)":
                return new Column(name, type, Kind.DATE_ARRAY, nullable, 2, true, 0);
            case "Array(Float64)":
                return new Column(name, type, Kind.FLOAT64_ARRAY, nullable, 8, false, 0);
            default:
                break;
        }
        Matcher integer = Pattern.compile("(U?)Int(8|16|32|64)").matcher(t);
        if (integer.matches()) {
            return new Column(name, type, Kind.INT, nullable, Integer.parseInt(integer.group(2)) / 8,
                    !integer.group(1).isEmpty(), 0);
        }
        throw new IllegalArgumentException("Column " + name + " of ClickHouse table " + table + " has type " + type
                + ", which the sink cannot write (supported: String, integers, Float32/64, Bool, DateTime,"
                + " DateTime64, Nullable and LowCardinality of those, Array(Date), Array(Float64))");
    }

    List<Column> columns() {
        return List.of(columns);
    }

    /** The ClickHouse types the rows are encoded for, in column order. */
    List<String> types() {
        return Arrays.stream(columns).map(Column::type).toList();
    }

    /** Rows complete so far. */
    int rows() {
        return rows;
    }

    /** The encoded rows; valid until the next write or {@link #clear()}. */
    byte[] buffer() {
        return buf;
    }

    int size() {
        return size;
    }

    void clear() {
        size = 0;
        column = 0;
        rows = 0;
    }

    /** Ends a row: every column must have been written. */
    void endRow() {
        if (column != columns.length) {
            throw new IllegalStateException("Row of " + table + " has " + column + " values for " + columns.length
                    + " columns");
        }
        column = 0;
        rows++;
    }

    @Override
    public RowValues text(String v) {
        Column c = next("text", v == null);
        if (c.kind != Kind.STRING) {
            throw mismatch(c, "text");
        }
        if (c.nullable) {
            put((byte) 0);
        }
        putString(v);
        return this;
    }

    @Override
    public RowValues nullableText(String v) {
        Column c = next("text", false);
        if (c.kind != Kind.STRING) {
            throw mismatch(c, "text");
        }
        if (v == null) {
            return putNull(c);
        }
        if (c.nullable) {
            put((byte) 0);
        }
        putString(v);
        return this;
    }

    @Override
    public RowValues number(long v) {
        Column c = next("a number", false);
        if (c.nullable) {
            put((byte) 0);
        }
        switch (c.kind) {
            case INT -> {
                if (!fits(c, v)) {
                    throw new IllegalArgumentException("Value " + v + " does not fit column " + c.name + " (" + c.type
                            + ") of " + table);
                }
                putLong(v, c.bytes);
            }
            case FLOAT64 -> putLong(Double.doubleToRawLongBits(v), 8);
            case FLOAT32 -> putLong(Float.floatToRawIntBits(v), 4);
            default -> throw mismatch(c, "a number");
        }
        return this;
    }

    @Override
    public RowValues real(double v) {
        Column c = next("a real number", false);
        if (c.nullable) {
            put((byte) 0);
        }
        switch (c.kind) {
            case FLOAT64 -> putLong(Double.doubleToRawLongBits(v), 8);
            case FLOAT32 -> putLong(Float.floatToRawIntBits((float) v), 4);
            default -> throw mismatch(c, "a real number");
        }
        return this;
    }

    @Override
    public RowValues nullableNumber(Double v) {
        if (v == null) {
            Column c = next("a real number", false);
            if (c.kind != Kind.FLOAT64 && c.kind != Kind.FLOAT32 && c.kind != Kind.INT) {
                throw mismatch(c, "a real number");
            }
            return putNull(c);
        }
        return real(v);
    }

    @Override
    public RowValues bool(boolean v) {
        Column c = next("a boolean", false);
        if (c.kind != Kind.BOOL && !(c.kind == Kind.INT && c.bytes == 1)) {
            throw mismatch(c, "a boolean");
        }
        if (c.nullable) {
            put((byte) 0);
        }
        put((byte) (v ? 1 : 0));
        return this;
    }

    @Override
    public RowValues time(long epochMillis) {
        Column c = next("a time", false);
        if (c.nullable) {
            put((byte) 0);
        }
        putTime(c, epochMillis);
        return this;
    }

    @Override
    public RowValues nullableTime(long epochMillis) {
        if (epochMillis == 0) {
            Column c = next("a time", false);
            if (c.kind != Kind.DATETIME64 && c.kind != Kind.DATETIME) {
                throw mismatch(c, "a time");
            }
            return putNull(c);
        }
        return time(epochMillis);
    }

    @Override
    public RowValues dateArray(long[] epochDays) {
        Column c = next("dates", epochDays == null);
        if (c.kind != Kind.DATE_ARRAY) {
            throw mismatch(c, "dates");
        }
        putLength(epochDays.length);
        for (long day : epochDays) {
            if (day < 0 || day > 0xFFFF) {
                throw new IllegalArgumentException("Day " + day + " does not fit column " + c.name + " (" + c.type
                        + ") of " + table);
            }
            putLong(day, 2);
        }
        return this;
    }

    @Override
    public RowValues realArray(double[] v) {
        Column c = next("real numbers", v == null);
        if (c.kind != Kind.FLOAT64_ARRAY) {
            throw mismatch(c, "real numbers");
        }
        putLength(v.length);
        for (double d : v) {
            putLong(Double.doubleToRawLongBits(d), 8);
        }
        return this;
    }

    private void putTime(Column c, long millis) {
        switch (c.kind) {
            case DATETIME64 -> {
                long ticks = millis;
                if (c.scale >= 3) {
                    for (int i = 3; i < c.scale; i++) {
                        ticks = Math.multiplyExact(ticks, 10);
                    }
                } else {
                    long div = 1;
                    for (int i = c.scale; i < 3; i++) {
                        div *= 10;
                    }
                    ticks = Math.floorDiv(millis, div);
                }
                putLong(ticks, 8);
            }
            case DATETIME -> {
                long seconds = Math.floorDiv(millis, 1000);
                if (seconds < 0 || seconds > 0xFFFF_FFFFL) {
                    throw new IllegalArgumentException("Time " + millis + " ms does not fit column " + c.name + " ("
                            + c.type + ") of " + table);
                }
                putLong(seconds, 4);
            }
            default -> throw mismatch(c, "a time");
        }
    }

    private Column next(String what, boolean isNull) {
        if (column >= columns.length) {
            throw new IllegalStateException("More values than the " + columns.length + " columns of " + table);
        }
        Column c = columns[column++];
        if (isNull) {
            throw new IllegalArgumentException("Null for column " + c.name + " (" + c.type + ") of " + table
                    + ", which takes " + what + " that is never null");
        }
        return c;
    }

    private RowValues putNull(Column c) {
        if (!c.nullable) {
            throw new IllegalArgumentException("Null for column " + c.name + " of " + table + ", which is " + c.type
                    + " (not Nullable)");
        }
        put((byte) 1);
        return this;
    }

    private IllegalArgumentException mismatch(Column c, String what) {
        return new IllegalArgumentException("Column " + c.name + " of " + table + " is " + c.type + ", but the mapping"
                + " writes " + what + " there");
    }

    private static boolean fits(Column c, long v) {
        if (c.bytes == 8) {
            return !c.unsigned || v >= 0;
        }
        int bits = c.bytes * 8;
        if (c.unsigned) {
            return v >= 0 && v < (1L << bits);
        }
        return v >= -(1L << (bits - 1)) && v < (1L << (bits - 1));
    }

    private void putString(String v) {
        byte[] b = v.getBytes(StandardCharsets.UTF_8);
        ensure(b.length + 5);
        putLength(b.length);
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
    }

    /** A string's or an array's length, LEB128. */
    private void putLength(int n) {
        ensure(5);
        while ((n & ~0x7F) != 0) {
            buf[size++] = (byte) ((n & 0x7F) | 0x80);
            n >>>= 7;
        }
        buf[size++] = (byte) n;
    }

    private void putLong(long v, int bytes) {
        ensure(bytes);
        for (int i = 0; i < bytes; i++) {
            buf[size++] = (byte) v;
            v >>>= 8;
        }
    }

    private void put(byte b) {
        ensure(1);
        buf[size++] = b;
    }

    private void ensure(int more) {
        if (size + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
        }
    }

    @Override
    public String toString() {
        return "RowBinary rows of " + table + ": " + rows + " rows, " + size + " bytes";
    }
}
