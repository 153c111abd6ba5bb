package io.latchkey.key;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.SecretKey;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import org.jboss.logging.Logger;

import io.latchkey.common.CanonicalUuid;
import io.latchkey.common.Transactions;
import io.latchkey.config.LatchkeyConfig;
import io.quarkus.runtime.StartupEvent;

/**
 * Key ids this service can recognise as its own without a database query, so a token naming a fresh random kid (a
 * forgery) costs nothing but this check. A kid is a version-8 UUID (RFC 9562) whose second half is an HMAC tag,
 * under a key derived from the master key, of its first half: only this service can mint one that passes.
 * <p>
 * Kids minted before tags existed are random version-4 UUIDs: the current ones are read once at start-up (new keys
 * never get one, so there are only ever fewer). A version-4 kid outside that set may still come from an instance of
 * the previous version during a rolling upgrade: such look-ups are allowed at a bounded rate, so a flood of forged
 * ones costs at most that many queries.
 */
@ApplicationScoped
public class Kids {

    private static final Logger LOG = Logger.getLogger(Kids.class);
    private static final int RANDOM_BYTES = 8;
    private static final int TAG_BYTES = 8;
    /** Look-ups of untagged kids outside the start-up set, per second, and the burst allowed. */
    static final int UNTAGGED_LOOKUPS_PER_SECOND = 20;
    static final int UNTAGGED_LOOKUPS_BURST = 100;
    /** Current keys with kids of earlier versions (no version 8 marker): index signing_keys_current_untagged. */
    static final String CURRENT_UNTAGGED =
            "SELECT kid FROM signing_keys WHERE retired_at IS NULL AND kid NOT LIKE '______________8%'";

    private final SecureRandom random = new SecureRandom();
    private final Mac tagPrototype;
    private final Clock clock;
    private final int maxUntagged;
    /** Current untagged kids at start-up; null when there were too many to hold (then each is rate-bounded). */
    private volatile Set<String> untagged = Set.of();
    private double tokens = UNTAGGED_LOOKUPS_BURST;
    private long refilledAtMillis;

    @Inject
    EntityManager entityManager;
    @Inject
    Transactions transactions;

    @Inject
    Kids(SecretCipher cipher, LatchkeyConfig config, Clock clock) {
        this(cipher.derivedKey("latchkey kid tag v1"), config.cache().maxKeys(), clock);
    }

    Kids(SecretKey tagKey, int maxUntagged, Clock clock) {
        try {
            this.tagPrototype = Mac.getInstance("HmacSHA256");
            this.tagPrototype.init(tagKey);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
        this.clock = clock;
        this.maxUntagged = maxUntagged;
        this.refilledAtMillis = clock.millis();
    }

    void readUntagged(@Observes StartupEvent started) {
        @SuppressWarnings("unchecked")
        List<String> current = transactions.callInNew(() -> entityManager.createNativeQuery(CURRENT_UNTAGGED)
                .setMaxResults(maxUntagged + 1).getResultList());
        rememberUntagged(current);
    }

    void rememberUntagged(List<String> current) {
        if (current.size() > maxUntagged) {
            LOG.warnf("More than %d keys predate tagged kids; look-ups of such kids are rate-bounded. Rotating "
                    + "those users' keys ends that.", maxUntagged);
            untagged = null;
        } else {
            untagged = Set.copyOf(new HashSet<>(current));
        }
    }

    /** A new kid, tagged. */
    public String mint() {
        byte[] bytes = new byte[RANDOM_BYTES + TAG_BYTES];
        random.nextBytes(bytes);
        bytes[6] = (byte) ((bytes[6] & 0x0f) | 0x80); // version 8
        System.arraycopy(tag(bytes), 0, bytes, RANDOM_BYTES, TAG_BYTES);
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        return new UUID(buffer.getLong(), buffer.getLong()).toString();
    }

    /** Whether {@code kid} may name a key of this service: only then is it worth a database look-up. */
    public boolean mayExist(String kid) {
        UUID uuid = CanonicalUuid.parse(kid).orElse(null);
        if (uuid == null) {
            return false;
        }
        if (uuid.version() == 8) {
            byte[] bytes = ByteBuffer.allocate(RANDOM_BYTES + TAG_BYTES).putLong(uuid.getMostSignificantBits())
                    .putLong(uuid.getLeastSignificantBits()).array();
            byte[] expected = tag(bytes);
            return MessageDigest.isEqual(Arrays.copyOfRange(bytes, RANDOM_BYTES, RANDOM_BYTES + TAG_BYTES), expected);
        }
        Set<String> known = untagged;
        return (known != null && known.contains(kid)) || takeUntaggedLookup();
    }

    /** The tag of the first half of {@code bytes}, with the RFC 9562 variant bits its first byte must carry. */
    private byte[] tag(byte[] bytes) {
        Mac mac;
        try {
            mac = (Mac) tagPrototype.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("HmacSHA256 cannot be cloned", e);
        }
        mac.update(bytes, 0, RANDOM_BYTES);
        byte[] tag = Arrays.copyOf(mac.doFinal(), TAG_BYTES);
        tag[0] = (byte) ((tag[0] & 0x3f) | 0x80); // variant 10
        return tag;
    }

    private synchronized boolean takeUntaggedLookup() {
        long now = clock.millis();
        tokens = Math.min(UNTAGGED_LOOKUPS_BURST,
                tokens + Math.max(0, now - refilledAtMillis) * UNTAGGED_LOOKUPS_PER_SECOND / 1000.0);
        refilledAtMillis = now;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
}
