package io.latchkey.key;

import java.security.Key;
import java.security.MessageDigest;
import java.util.List;
import java.util.UUID;

import javax.crypto.spec.SecretKeySpec;

import io.latchkey.config.KeyAlgorithm;

/**
 * A user's current key with what verifying a token needs, held in memory: the algorithm it accepts, the key
 * that verifies (the HMAC secret, or the Ed25519 public key) and the user's name and roles as the database has
 * them. Any change of roles or status rotates the key, so these never go stale while the key is current; and a
 * holder of the key (a keys:read client) cannot grant itself roles. An Ed25519 private key is not held here:
 * only signing needs it ({@link KeyForSigning}).
 * <p>
 * The key cache holds up to 100,000 of these, so each is one compact object: the user id as two longs rather than a
 * UUID object, and an HMAC secret as its bytes rather than a {@link SecretKeySpec} (built when a check asks for it,
 * which costs less than the HMAC it feeds): 48 bytes instead of the 96 of a record of those objects.
 */
public final class ActiveKey {

    private static final String HMAC = "HmacSHA256";

    private final String kid;
    private final long userIdHigh;
    private final long userIdLow;
    private final String username;
    private final List<String> roles;
    private final KeyAlgorithm algorithm;
    /** HS256: the secret's bytes; EdDSA: the public {@link Key}. */
    private final Object material;

    public ActiveKey(String kid, UUID userId, String username, List<String> roles, KeyAlgorithm algorithm,
            Key verificationKey) {
        this(kid, userId.getMostSignificantBits(), userId.getLeastSignificantBits(), username, roles, algorithm,
                algorithm == KeyAlgorithm.HS256 ? verificationKey.getEncoded() : verificationKey);
    }

    private ActiveKey(String kid, long userIdHigh, long userIdLow, String username, List<String> roles,
            KeyAlgorithm algorithm, Object material) {
        this.kid = kid;
        this.userIdHigh = userIdHigh;
        this.userIdLow = userIdLow;
        this.username = username;
        this.roles = roles;
        this.algorithm = algorithm;
        this.material = material;
    }

    public String kid() {
        return kid;
    }

    public UUID userId() {
        return new UUID(userIdHigh, userIdLow);
    }

    /** Whether this is a key of {@code user}, without making a UUID for the comparison. */
    public boolean belongsTo(UUID user) {
        return user.getMostSignificantBits() == userIdHigh && user.getLeastSignificantBits() == userIdLow;
    }

    public String username() {
        return username;
    }

    public List<String> roles() {
        return roles;
    }

    public KeyAlgorithm algorithm() {
        return algorithm;
    }

    /**
     * HS256: a new {@link SecretKeySpec} (a copy of the secret) per call, on purpose: holding one would add an object
     * to each of up to 100,000 cached keys (see above), and the copy costs less than the HMAC it feeds.
     */
    public Key verificationKey() {
        return algorithm == KeyAlgorithm.HS256 ? new SecretKeySpec((byte[]) material, HMAC) : (Key) material;
    }

    /** This key holding {@code sameKid} (equal to its kid) as its kid. */
    ActiveKey withKid(String sameKid) {
        return kid != sameKid && kid.equals(sameKid)
                ? new ActiveKey(sameKid, userIdHigh, userIdLow, username, roles, algorithm, material)
                : this;
    }

    /** Equal when every part is, as the record this was compared; the secret in constant time. */
    @Override
    public boolean equals(Object other) {
        return other instanceof ActiveKey that && kid.equals(that.kid) && userIdHigh == that.userIdHigh
                && userIdLow == that.userIdLow && username.equals(that.username) && roles.equals(that.roles)
                && algorithm == that.algorithm && (material instanceof byte[] secret && that.material instanceof byte[] theirs
                        ? MessageDigest.isEqual(secret, theirs)
                        : material.equals(that.material));
    }

    @Override
    public int hashCode() {
        return kid.hashCode(); // one kid names one key
    }

    @Override
    public String toString() {
        return "ActiveKey[kid=" + kid + ", userId=" + userId() + ", algorithm=" + algorithm + "]";
    }
}
