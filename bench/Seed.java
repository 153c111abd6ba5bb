import java.io.BufferedWriter;
import java.io.Reader;
import java.io.StringReader;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

import javax.crypto.spec.SecretKeySpec;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import io.latchkey.config.KeyAlgorithm;
import io.latchkey.config.LatchkeyConfig;
import io.latchkey.key.ActiveKey;
import io.latchkey.key.KeyForSigning;
import io.latchkey.token.TokenIssuer;
import io.latchkey.user.Passwords;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.WithDefault;

/**
 * Bench-only: seeds users with valid, distinct signing keys straight into the database (COPY), far faster than
 * the API (which hashes a password per user), and mints tokens for some of them. It reuses the service's own
 * classes for everything secret: the configuration mapping (same environment variables and defaults, so the
 * same master key, issuer, audience and signing algorithm: LATCHKEY_SIGNING_ALGORITHM=EdDSA seeds Ed25519 keys),
 * SecretCipher for the at-rest format and TokenIssuer for the tokens.
 * Every seeded user has the same password hash (one argon2 run, not millions). The token file holds {@code tokens}
 * tokens of the first {@code token users} users, taken in turn (user 0, 1, ..., 0, 1, ...), so that a run cycling
 * through more tokens than the service's recently-verified memory holds re-checks every token against a cached key.
 *
 * Run by bench/scale.sh and bench/run.sh against a -Dproduction build:
 *   java -cp "target/quarkus-app/lib/boot/*:target/quarkus-app/lib/main/*:target/quarkus-app/app/*" bench/Seed.java \
 *       <jdbc url> <db user> <users> <revoked> <token users> <tokens> <token file>
 * with LATCHKEY_MASTER_KEY (and any LATCHKEY_ISSUER etc.) exported as for the service. The schema must exist
 * (start the service once first). Appends; prints one line: SEED_RESULT users=.. revoked=.. token_users=.. tokens=..
 * seconds=.. database_seconds=.. (of those seconds, the COPYs, the revocations and ANALYZE).
 */
public class Seed {

    private static final int BATCH = 50_000;

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String dbUser = args[1];
        int users = Integer.parseInt(args[2]);
        int revoked = Integer.parseInt(args[3]);
        int tokenUsers = Math.min(users, Integer.parseInt(args[4]));
        int tokens = tokenUsers == 0 ? 0 : Integer.parseInt(args[5]);
        Path tokenFile = Path.of(args[6]);
        long started = System.nanoTime();

        SmallRyeConfig config = new SmallRyeConfigBuilder().addDefaultSources().build();
        LatchkeyConfig latchkey = mapping(LatchkeyConfig.class, "latchkey", config);
        Object cipher = secretCipher(latchkey);
        Object kids = kids(cipher, latchkey);
        Method mint = kids.getClass().getDeclaredMethod("mint");
        Class<?> bindingType = Class.forName("io.latchkey.key.KeyBinding");
        Constructor<?> binding = bindingType.getDeclaredConstructor(String.class, UUID.class, KeyAlgorithm.class,
                byte[].class);
        binding.setAccessible(true);
        Method encrypt = cipher.getClass().getDeclaredMethod("encrypt", byte[].class, bindingType);
        encrypt.setAccessible(true);
        KeyAlgorithm algorithm = latchkey.signingAlgorithm();
        KeyPairGenerator ed25519 = KeyPairGenerator.getInstance("Ed25519");
        TokenIssuer issuer = tokenIssuer(latchkey);
        String passwordHash = new Passwords().hash("bench-password-" + UUID.randomUUID());
        SecureRandom random = new SecureRandom();
        HexFormat hex = HexFormat.of();
        String now = Instant.now().toString();
        String prefix = "bench-" + Long.toString(System.currentTimeMillis(), 36) + "-";

        List<User> tokenHolders = new ArrayList<>(tokenUsers);
        long databaseNanos = 0;
        try (Connection connection = DriverManager.getConnection(url, dbUser, System.getenv("PGPASSWORD"))) {
            CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
            for (int from = 0; from < users; from += BATCH) {
                int to = Math.min(users, from + BATCH);
                StringBuilder userRows = new StringBuilder();
                StringBuilder keyRows = new StringBuilder();
                for (int i = from; i < to; i++) {
                    UUID id = UUID.randomUUID();
                    String kid = (String) mint.invoke(kids); // tagged, as the service mints them
                    String username = prefix + i;
                    byte[] secret;
                    byte[] publicKey = null;
                    KeyForSigning signing;
                    if (algorithm == KeyAlgorithm.EdDSA) {
                        KeyPair pair = ed25519.generateKeyPair();
                        secret = pair.getPrivate().getEncoded();
                        publicKey = pair.getPublic().getEncoded();
                        signing = new KeyForSigning(new ActiveKey(kid, id, username, List.of("user"), algorithm,
                                pair.getPublic()), pair.getPrivate());
                    } else {
                        secret = new byte[32];
                        random.nextBytes(secret);
                        SecretKeySpec hmac = new SecretKeySpec(secret, "HmacSHA256");
                        signing = new KeyForSigning(new ActiveKey(kid, id, username, List.of("user"), algorithm, hmac),
                                hmac);
                    }
                    byte[] ciphertext = (byte[]) encrypt.invoke(cipher, secret,
                            binding.newInstance(kid, id, algorithm, publicKey));
                    userRows.append(id).append('\t').append(username).append('\t').append(passwordHash)
                            .append("\t{user}\tt\t").append(now).append('\t').append(now).append('\n');
                    keyRows.append(kid).append('\t').append(id).append("\t\\\\x").append(hex.formatHex(ciphertext))
                            .append('\t').append(algorithm.name()).append('\t')
                            .append(publicKey == null ? "\\N" : "\\\\x" + hex.formatHex(publicKey))
                            .append('\t').append(now).append('\n');
                    if (i < tokenUsers) {
                        tokenHolders.add(new User(id, username, signing));
                    }
                }
                long copying = System.nanoTime();
                copy.copyIn("COPY users (id, username, password_hash, roles, enabled, created_at, updated_at) FROM STDIN",
                        reader(userRows));
                copy.copyIn("COPY signing_keys (kid, user_id, secret_ciphertext, algorithm, public_key, created_at) FROM STDIN", reader(keyRows));
                databaseNanos += System.nanoTime() - copying;
            }
            long revoking = System.nanoTime();
            try (Statement statement = connection.createStatement()) {
                // Revoked and not yet expired: every one is held in memory by each instance.
                statement.executeUpdate("INSERT INTO revoked_tokens (jti, expires_at) SELECT gen_random_uuid()::text, "
                        + "now() + interval '1 hour' FROM generate_series(1, " + revoked + ")");
                statement.execute("ANALYZE");
            }
            databaseNanos += System.nanoTime() - revoking;
        }
        try (BufferedWriter out = Files.newBufferedWriter(tokenFile)) {
            for (int t = 0; t < tokens; t++) {
                User holder = tokenHolders.get(t % tokenUsers);
                out.write(issuer.issue(holder.id(), holder.username(), List.of("user"), holder.signing()).token());
                out.write('\n');
            }
        }
        System.out.printf("SEED_RESULT users=%d revoked=%d token_users=%d tokens=%d seconds=%.1f database_seconds=%.1f%n",
                users, revoked, tokenUsers, tokens, (System.nanoTime() - started) / 1e9, databaseNanos / 1e9);
    }

    private record User(UUID id, String username, KeyForSigning signing) {
    }

    private static Reader reader(StringBuilder rows) {
        return new StringReader(rows.toString());
    }

    /**
     * The service's configuration interface read from the environment with its own defaults (@WithDefault): the
     * generated mapping needs ASM at run time, which the packaged application does not ship.
     */
    private static <T> T mapping(Class<T> type, String prefix, SmallRyeConfig config) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type }, (proxy, method, args) -> {
            String name = prefix + "." + method.getName().replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
            Class<?> result = method.getReturnType();
            if (result.isInterface() && result != Optional.class) {
                return mapping(result, name, config);
            }
            WithDefault fallback = method.getAnnotation(WithDefault.class);
            Optional<String> value = config.getOptionalValue(name, String.class)
                    .or(() -> Optional.ofNullable(fallback).map(WithDefault::value));
            if (result == Optional.class) {
                return value;
            }
            String text = value.orElseThrow(() -> new IllegalStateException(name + " is not set"));
            if (result == boolean.class) {
                return Boolean.parseBoolean(text);
            } else if (result == int.class) {
                return Integer.parseInt(text);
            } else if (result == Duration.class) {
                return Duration.parse(text);
            } else if (result.isEnum()) {
                return enumValue(result, text);
            }
            return text;
        }));
    }

    @SuppressWarnings({ "unchecked", "rawtypes" })
    private static Object enumValue(Class<?> type, String text) {
        return Enum.valueOf((Class) type, text);
    }

    /** The service's cipher, built the way CDI builds it (its constructor takes the configuration). */
    private static Object secretCipher(LatchkeyConfig config) throws Exception {
        Constructor<?> constructor = Class.forName("io.latchkey.key.SecretCipher").getDeclaredConstructor(LatchkeyConfig.class);
        constructor.setAccessible(true);
        return constructor.newInstance(config);
    }

    /** The service's kid minter, built the way CDI builds it. */
    private static Object kids(Object cipher, LatchkeyConfig config) throws Exception {
        Constructor<?> constructor = Class.forName("io.latchkey.key.Kids").getDeclaredConstructor(cipher.getClass(),
                LatchkeyConfig.class, Clock.class);
        constructor.setAccessible(true);
        return constructor.newInstance(cipher, config, Clock.systemUTC());
    }

    /** The service's issuer, built the way CDI builds it (its constructor takes the configuration and the clock). */
    private static TokenIssuer tokenIssuer(LatchkeyConfig config) throws Exception {
        Constructor<TokenIssuer> constructor = TokenIssuer.class.getDeclaredConstructor(LatchkeyConfig.class, Clock.class);
        constructor.setAccessible(true);
        return constructor.newInstance(config, Clock.systemUTC());
    }
}
