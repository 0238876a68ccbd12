package dev.kiln.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/** Bearer tokens: 256 random bits, shown once; only their SHA-256 is stored. */
public final class Tokens {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Tokens() {
    }

    /** A new token, {@code kiln_} + 43 URL-safe characters. */
    public static String generate() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return "kiln_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    public static String sha256(String token) {
        return sha256(token.getBytes(StandardCharsets.UTF_8));
    }

    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }
}
