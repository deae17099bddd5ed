package io.salespulse.notifier.wecom;

import java.nio.charset.StandardCharsets;

/** WeCom measures its limits in UTF-8 bytes; these cut text on character boundaries, never inside one. */
public final class Utf8 {
    private Utf8() {}

    public static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** The longest prefix of {@code s} (whole code points) that fits in {@code maxBytes}. */
    public static String prefix(String s, int maxBytes) {
        if (maxBytes <= 0) {
            return "";
        }
        int used = 0;
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (used + len > maxBytes) {
                break;
            }
            used += len;
            i += Character.charCount(cp);
        }
        return s.substring(0, i);
    }
}
