package io.latchkey.gateway;

import io.latchkey.config.KeyAlgorithm;
import io.latchkey.config.LatchkeyConfig;
import io.latchkey.key.ActiveKey;
import io.latchkey.user.Roles;

/** Which current keys {@code GET /keys/{kid}} hands out, and to whom. */
final class KeyDisclosure {

    private KeyDisclosure() {
    }

    /**
     * Whether anyone may have {@code key} without authenticating: an Ed25519 public key cannot sign, so when
     * configured so it is served to all; an HMAC secret signs and never is.
     */
    static boolean servedWithoutClient(ActiveKey key, LatchkeyConfig.Keys config) {
        return config.publicKeysOpen() && key.algorithm() == KeyAlgorithm.EdDSA;
    }

    /**
     * Whether a {@code keys:read} client may have {@code key}: not an admin's HMAC secret unless configured so,
     * since whoever holds it can mint admin tokens. An admin's Ed25519 key is public and may be served.
     */
    static boolean servedToClient(ActiveKey key, LatchkeyConfig.Keys config) {
        return key.algorithm() != KeyAlgorithm.HS256 || !Roles.isAdmin(key.roles()) || config.adminHmacKeys();
    }
}
