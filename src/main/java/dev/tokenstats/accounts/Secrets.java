package dev.tokenstats.accounts;

import org.springframework.security.crypto.keygen.BytesKeyGenerator;
import org.springframework.security.crypto.keygen.KeyGenerators;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The random secrets handed out once (personal tokens, ingest keys) and the one-way form they are kept in.
 * 256 random bits from Spring Security's key generator; kept as SHA-256 (a slow password hash adds nothing
 * for secrets this long, and a fast one keeps every request's check O(1)).
 */
final class Secrets {

    private static final BytesKeyGenerator RANDOM = KeyGenerators.secureRandom(32);

    private Secrets() {
    }

    /** A new secret: {@code prefix} (so leaked secrets are recognisable) and 43 base64url characters. */
    static String generate(String prefix) {
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(RANDOM.generateKey());
    }

    static String hash(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Checks a display name (of a token or key): 1-64 characters, no control characters. */
    static String name(String name, String what) {
        if (name == null || name.isBlank() || name.strip().length() > 64) {
            throw new IllegalArgumentException(what + " needs a name of 1-64 characters");
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                throw new IllegalArgumentException("the name must not contain control characters");
            }
        }
        return name.strip();
    }
}
