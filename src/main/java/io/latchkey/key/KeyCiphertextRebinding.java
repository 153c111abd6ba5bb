package io.latchkey.key;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import org.jboss.logging.Logger;

import io.latchkey.common.Transactions;
import io.quarkus.runtime.StartupEvent;

/**
 * At start-up, rewrites keys stored in the version 1 format (associated data: the kid alone) in version 2 (bound
 * to kid, user, algorithm and public key; see {@link SecretCipher}), so no stored key can be moved to another user
 * any more. Rows are locked while rewritten, so instances starting together do each row once. A row that does not
 * decrypt (another master key) is left as it is and reported; that key then answers 503 until it is rotated.
 */
@ApplicationScoped
public class KeyCiphertextRebinding {

    private static final Logger LOG = Logger.getLogger(KeyCiphertextRebinding.class);
    /** Keys in the version 1 format, locked for their rewrite: index signing_keys_legacy_format. */
    static final String LEGACY_KEYS = "SELECT kid FROM signing_keys WHERE get_byte(secret_ciphertext, 0) = 1 FOR UPDATE";

    @Inject
    EntityManager entityManager;
    @Inject
    Transactions transactions;
    @Inject
    SecretCipher cipher;

    void onStart(@Observes StartupEvent started) {
        int rebound = rebindLegacyKeys();
        if (rebound > 0) {
            LOG.infof("Re-encrypted %d stored signing keys in the current format (bound to their user)", rebound);
        }
    }

    /** Rewrites every version 1 row it can decrypt; returns how many. */
    int rebindLegacyKeys() {
        return transactions.callInNew(() -> {
            @SuppressWarnings("unchecked")
            List<String> kids = entityManager.createNativeQuery(LEGACY_KEYS).getResultList();
            int rebound = 0;
            for (String kid : kids) {
                SigningKey key = entityManager.find(SigningKey.class, kid);
                try {
                    key.rebound(cipher.rebind(key.secretCiphertext(), key.binding()));
                    rebound++;
                } catch (IllegalStateException e) {
                    LOG.warnf("Signing key %s was left in the old format: %s", kid, e.getMessage());
                }
            }
            return rebound;
        });
    }
}
