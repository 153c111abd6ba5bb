package io.latchkey.config;

/**
 * How a user's key signs tokens. The constant names are the JWS {@code alg} values (RFC 7518, RFC 8037), the
 * configuration values and what the keys table stores.
 */
public enum KeyAlgorithm {
    /** HMAC-SHA256 with a 256-bit secret: whoever can verify can also sign. */
    HS256,
    /** Ed25519 signatures: verifying needs only the public key, which cannot sign. */
    EdDSA;

    /** The JWS {@code alg} header value. */
    public String jwsName() {
        return name();
    }
}
