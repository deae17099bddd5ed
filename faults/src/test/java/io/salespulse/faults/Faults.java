package io.salespulse.faults;

/**
 * Short or heavy: the normal test run gets a short version of every scenario (seconds of outage, a few
 * crashes, days of history); {@code -Pfaults} (system property {@code faults.heavy=true}) runs the heavy
 * ones (a minute of outage, many crashes, weeks of history).
 */
final class Faults {
    private Faults() {}

    static boolean heavy() {
        return Boolean.getBoolean("faults.heavy");
    }

    static int pick(int shortValue, int heavyValue) {
        return heavy() ? heavyValue : shortValue;
    }

    static long pick(long shortValue, long heavyValue) {
        return heavy() ? heavyValue : shortValue;
    }

    /** Sleeps until the wall clock reaches {@code epochMillis} (at once when it has). */
    static void sleepUntil(long epochMillis) throws InterruptedException {
        long wait = epochMillis - System.currentTimeMillis();
        if (wait > 0) {
            Thread.sleep(wait);
        }
    }
}
