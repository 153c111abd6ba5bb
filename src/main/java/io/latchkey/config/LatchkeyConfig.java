package io.latchkey.config;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** Every Latchkey setting; each one is also an environment variable (LATCHKEY_...). */
@ConfigMapping(prefix = "latchkey")
public interface LatchkeyConfig {

    /** Base64 of the 32-byte AES key that encrypts signing secrets at rest. Required in production. */
    Optional<String> masterKey();

    /** Without a master key, use a random one for this run (development only; on in the dev, test and local profiles). */
    @WithDefault("false")
    boolean allowEphemeralMasterKey();

    /** The `iss` of issued tokens and the RFC 8414 issuer; also the base URL of advertised endpoints. */
    @WithDefault("http://localhost:8080")
    String issuer();

    /** The `aud` of issued tokens, required when verifying. */
    @WithDefault("latchkey")
    String audience();

    /** How long an issued token is valid. */
    @WithDefault("PT1H")
    Duration tokenLifetime();

    /** Clock-skew leeway allowed on `exp` and `nbf`. */
    @WithDefault("PT30S")
    Duration clockSkew();

    /** Algorithm of keys made from now on (new users, rotations): `HS256` or `EdDSA`; existing keys keep theirs. */
    @WithDefault("HS256")
    KeyAlgorithm signingAlgorithm();

    /**
     * Origins (e.g. https://app.example.com) whose pages may send /login besides the service's own and the
     * issuer's; comma separated.
     */
    Optional<java.util.List<String>> allowedOrigins();

    Cookie cookie();

    Keys keys();

    Cache cache();

    Feed feed();

    Events events();

    Admin admin();

    Throttle throttle();

    interface Cookie {
        /** Adds `Secure` to the token cookie; leave on unless serving plain HTTP for development. */
        @WithDefault("true")
        boolean secure();
    }

    interface Keys {
        /** `max-age` a verifier may cache a fetched key (`GET /keys/{kid}`); bounds how stale it can be. */
        @WithDefault("PT5M")
        Duration maxAge();

        /** Serve Ed25519 (public) keys at `GET /keys/{kid}` without client authentication; HMAC keys still need `keys:read`. */
        @WithName("public")
        @WithDefault("false")
        boolean publicKeysOpen();

        /** Serve HMAC keys of users holding the `admin` role (whoever holds one can mint admin tokens). */
        @WithName("admin")
        @WithDefault("false")
        boolean adminHmacKeys();
    }

    interface Cache {
        /**
         * Safety net behind the change log, for rows edited outside Latchkey (by SQL): cached keys, clients and
         * revocations are dropped and re-read at least this often. Latchkey's own changes reach every instance
         * through the log within the feed's lease, so this can be rare: each refresh costs a query per key in use.
         */
        @WithDefault("PT1H")
        Duration refreshInterval();

        /** Most signing keys held in memory at once. */
        @WithDefault("100000")
        int maxKeys();
    }

    interface Feed {
        /**
         * Caches answer token checks only while the change feed proved alive within this; after it, checks go to the
         * database, or answer 503 when that does not answer either. Also bounds how long a cut-off instance is stale.
         */
        @WithDefault("PT2S")
        Duration lease();
    }

    interface Events {
        /** `GET /events` sends a heartbeat at least this often. */
        @WithDefault("PT5S")
        Duration heartbeat();

        /** Most `GET /events` streams open at once on one instance (503 beyond). */
        @WithDefault("1000")
        int maxSubscribers();
    }

    interface Admin {
        /** First admin created at start when no admin exists (with the password below). */
        Optional<String> username();

        /** Password of that first admin. */
        Optional<String> password();

        /**
         * Without a password: this well-known one on the throw-away embedded database only (the local profile);
         * on any other database a random password, printed once.
         */
        Optional<String> embeddedDatabasePassword();
    }

    interface Throttle {
        /** Failed logins for one username from one address before logins for the pair are refused. */
        @WithDefault("5")
        int maxFailures();

        /** How long the pair is refused once the limit is reached; failures older than this are forgotten. */
        @WithDefault("PT5M")
        Duration lockout();

        /** Failed logins from one address (IPv6: one /64), across usernames, before it is refused any login. */
        @WithDefault("50")
        int addressMaxFailures();

        /** The window of the per-address and per-username counts, and how long either refuses once reached. */
        @WithDefault("PT5M")
        Duration addressWindow();

        /** Failed logins for one username, from any address, before it is refused except where it logged in before. */
        @WithDefault("20")
        int userMaxFailures();

        /** How long an address a user logged in from stays exempt from the per-username limit. */
        @WithDefault("P30D")
        Duration knownAddressLifetime();

        /** Most such addresses remembered per user; the least recent are forgotten first. */
        @WithDefault("10")
        int knownAddressesPerUser();
    }
}
