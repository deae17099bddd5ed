package io.salespulse.notifier.page;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed links to the alert page, and the page's anti-forgery tokens. A link names one alert, one recipient
 * and an expiry, and carries {@code sig = HMAC-SHA256(notifier.link-secret, "v1|alert|recipient|exp")}: changing
 * any of the three breaks the signature, and nobody without the secret can make one (alert ids are guessable,
 * the signature is not). The page's POST carries a second token bound to the link and to a random nonce held in
 * a SameSite=Strict cookie ({@link #formToken}), so another site can neither send the cookie nor compute the
 * token.
 */
public final class AlertLinks {
    /** What a link says: the alert, who it was sent to, until when it works. */
    public record Link(String alertId, String recipient, Instant expires, String signature) {}

    /** The outcome of checking a link's parameters. */
    public enum Check { VALID, MISSING, MALFORMED, FORGED, EXPIRED }

    public record Verified(Check check, Link link) {}

    /** Recipient ids: WeCom userids, rep ids, or {@code group:<route>} for a whole group. */
    public static final Pattern RECIPIENT = Pattern.compile("[A-Za-z0-9._@:-]{1,128}");
    private static final int MAX_ALERT_ID = 512;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;
    private final String baseUrl;
    private final Duration ttl;

    public AlertLinks(String secret, String baseUrl, Duration ttl) {
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        this.baseUrl = baseUrl;
        this.ttl = ttl;
    }

    /** The page's address for {@code recipient}, valid for notifier.link-ttl from {@code now}. */
    public String url(String alertId, String recipient, Instant now) {
        Link l = sign(alertId, recipient, now.plus(ttl));
        return baseUrl + "/alert?a=" + enc(l.alertId()) + "&to=" + enc(l.recipient()) + "&exp="
                + l.expires().getEpochSecond() + "&sig=" + l.signature();
    }

    public Link sign(String alertId, String recipient, Instant expires) {
        Instant exp = Instant.ofEpochSecond(expires.getEpochSecond());
        return new Link(alertId, recipient, exp, mac("v1|" + alertId + "|" + recipient + "|" + exp.getEpochSecond()));
    }

    /** Checks the parameters {@code a}, {@code to}, {@code exp}, {@code sig} of a request. */
    public Verified verify(Map<String, String> p, Instant now) {
        String a = p.get("a");
        String to = p.get("to");
        String exp = p.get("exp");
        String sig = p.get("sig");
        if (a == null && to == null && exp == null && sig == null) {
            return new Verified(Check.MISSING, null);
        }
        if (a == null || a.isBlank() || a.length() > MAX_ALERT_ID || to == null || !RECIPIENT.matcher(to).matches()
                || exp == null || !exp.matches("\\d{1,12}") || sig == null || !sig.matches("[A-Za-z0-9_-]{43}")) {
            return new Verified(Check.MALFORMED, null);
        }
        Link expected = sign(a, to, Instant.ofEpochSecond(Long.parseLong(exp)));
        if (!MessageDigest.isEqual(expected.signature().getBytes(StandardCharsets.US_ASCII),
                sig.getBytes(StandardCharsets.US_ASCII))) {
            return new Verified(Check.FORGED, null);
        }
        // Checked after the signature: an expired link is one we really sent.
        if (!now.isBefore(expected.expires())) {
            return new Verified(Check.EXPIRED, expected);
        }
        return new Verified(Check.VALID, expected);
    }

    /** A fresh random nonce for the page's cookie. */
    public static String nonce() {
        byte[] b = new byte[18];
        RANDOM.nextBytes(b);
        return B64.encodeToString(b);
    }

    /** The form's token: bound to the link (its signature) and the cookie's nonce. */
    public String formToken(Link link, String nonce) {
        return mac("form|" + link.signature() + "|" + nonce);
    }

    public boolean formTokenValid(Link link, String nonce, String token) {
        if (nonce == null || token == null || !nonce.matches("[A-Za-z0-9_-]{24}")) {
            return false;
        }
        return MessageDigest.isEqual(formToken(link, nonce).getBytes(StandardCharsets.US_ASCII),
                token.getBytes(StandardCharsets.US_ASCII));
    }

    private String mac(String text) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(key);
            return B64.encodeToString(m.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
