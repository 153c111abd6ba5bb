package io.latchkey.session;

import static io.latchkey.common.Jdbc.at;
import static io.latchkey.common.Jdbc.bind;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.latchkey.config.LatchkeyConfig;
import io.latchkey.user.Usernames;
import io.latchkey.error.Refusal;

/**
 * Counts login attempts in PostgreSQL, shared by every instance, and refuses further ones: per (username,
 * address), per address across usernames (spraying) and per username across addresses (a botnet grinding one
 * account; addresses the user logged in from recently are exempt, so the owner is not locked out). IPv6
 * addresses count per /64. Unknown usernames count exactly like known ones. Each attempt is counted before
 * its password is checked, in one statement, so parallel guesses stay within the limits; a success takes its
 * attempt back. Every time decision reads the injected clock.
 */
@ApplicationScoped
public class LoginThrottle {

    private static final Logger LOG = Logger.getLogger(LoginThrottle.class);
    /** Expired counts are deleted at most this often, by whichever attempt comes next. */
    private static final Duration PRUNE_EVERY = Duration.ofMinutes(1);

    /**
     * Refused at once when the address is over its limit (nothing counted: a refused flood writes no rows);
     * otherwise counts the attempt on its three keys. The attempt that reaches a limit starts a full window of
     * refusal; an expired count starts afresh.
     */
    private static final String ATTEMPT = """
            WITH address_refused AS (
                SELECT window_ends FROM login_attempts
                WHERE scope = 'a' AND key = ? AND count >= ? AND window_ends > ?
            ), counted AS (
                INSERT INTO login_attempts AS t (scope, key, count, window_ends)
                SELECT v.scope, v.key, 1, v.window_ends
                FROM (VALUES ('p', ?, ?::timestamptz), ('a', ?, ?::timestamptz), ('u', ?, ?::timestamptz))
                    AS v(scope, key, window_ends)
                WHERE NOT EXISTS (SELECT 1 FROM address_refused)
                ON CONFLICT (scope, key) DO UPDATE SET
                    count = CASE WHEN t.window_ends <= ? THEN 1 ELSE t.count + 1 END,
                    window_ends = CASE
                        WHEN t.window_ends <= ? THEN EXCLUDED.window_ends
                        WHEN t.count + 1 = (CASE t.scope WHEN 'p' THEN ? WHEN 'a' THEN ? ELSE ? END)
                            THEN EXCLUDED.window_ends
                        ELSE t.window_ends END
                RETURNING t.scope, t.count, t.window_ends
            )
            SELECT scope, count, window_ends, scope = 'u' AND EXISTS (
                       SELECT 1 FROM login_known_addresses WHERE username = ? AND address = ? AND last_success > ?)
            FROM counted
            UNION ALL
            SELECT 'a', 2147483647, window_ends, false FROM address_refused
            """;

    /**
     * Forgets the pair's count, takes the attempt back from the others, remembers the address and forgets the
     * user's addresses beyond the newest few: steps of the statement that records the login ({@link #succeeded}),
     * each only if that statement recorded the session ({@link Sessions#IF_RECORDED}): a login refused because its
     * key changed during the hash stays counted.
     */
    private static final String SUCCEEDED = """
            forgotten AS (
                DELETE FROM login_attempts WHERE scope = 'p' AND key = ? AND %1$s
            ), taken_back AS (
                UPDATE login_attempts SET count = count - 1
                WHERE ((scope = 'a' AND key = ?) OR (scope = 'u' AND key = ?)) AND count > 0 AND window_ends > ?
                    AND %1$s
            ), remembered AS (
                INSERT INTO login_known_addresses (username, address, last_success)
                SELECT ?, ?, ?::timestamptz WHERE %1$s
                ON CONFLICT (username, address) DO UPDATE SET last_success = EXCLUDED.last_success
            ), known_pruned AS (
                DELETE FROM login_known_addresses
                WHERE username = ? AND address <> ? AND (last_success <= ? OR address NOT IN (
                    SELECT address FROM login_known_addresses WHERE username = ? AND address <> ?
                    ORDER BY last_success DESC LIMIT ?)) AND %1$s
            )""".formatted(Sessions.IF_RECORDED);

    private static final String PRUNE = """
            WITH attempts AS (DELETE FROM login_attempts WHERE window_ends < ?)
            DELETE FROM login_known_addresses WHERE last_success <= ?
            """;

    @Inject
    LatchkeyConfig config;
    @Inject
    DataSource dataSource;
    @Inject
    Clock clock;

    private volatile Instant nextPrune = Instant.MIN;

    /**
     * Counts a login attempt before its password is checked, or refuses it: returns how long it is still
     * refused. Answers 503 when the counts cannot be reached: no unthrottled guessing while the database is away.
     */
    public Optional<Duration> attempt(String username, String address) {
        LatchkeyConfig.Throttle limits = config.throttle();
        Instant now = clock.instant();
        String user = fold(username);
        String network = network(address);
        Map<String, Integer> max = Map.of("p", limits.maxFailures(), "a", limits.addressMaxFailures(),
                "u", limits.userMaxFailures());
        Duration refused = null;
        try (Connection connection = dataSource.getConnection()) {
            pruneNow(connection, now);
            try (PreparedStatement statement = connection.prepareStatement(ATTEMPT)) {
                bind(statement, network, limits.addressMaxFailures(), at(now),
                        pairKey(user, network), at(now.plus(limits.lockout())),
                        network, at(now.plus(limits.addressWindow())),
                        user, at(now.plus(limits.addressWindow())),
                        at(now), at(now), limits.maxFailures(), limits.addressMaxFailures(), limits.userMaxFailures(),
                        user, network, at(now.minus(limits.knownAddressLifetime())));
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        Instant windowEnds = rows.getObject(3, OffsetDateTime.class).toInstant();
                        boolean over = rows.getInt(2) > max.get(rows.getString(1)) && windowEnds.isAfter(now);
                        if (over && !rows.getBoolean(4)) {
                            Duration wait = Duration.between(now, windowEnds);
                            refused = refused == null || wait.compareTo(refused) > 0 ? wait : refused;
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
        return Optional.ofNullable(refused);
    }

    /**
     * What a successful login writes to the counts: clears the pair's count and remembers the address as one the
     * user logs in from. Returned as steps for the session's record to run in the same statement (one round trip,
     * one commit for both).
     */
    WriteSteps succeeded(String username, String address) {
        LatchkeyConfig.Throttle limits = config.throttle();
        Instant now = clock.instant();
        String user = fold(username);
        String network = network(address);
        return WriteSteps.of(SUCCEEDED, pairKey(user, network), network, user, at(now),
                user, network, at(now),
                user, network, at(now.minus(limits.knownAddressLifetime())), user, network,
                // the others kept besides this login's address (a step does not see the row "remembered" writes)
                Math.max(0, limits.knownAddressesPerUser() - 1));
    }

    private void pruneNow(Connection connection, Instant now) throws SQLException {
        if (now.isBefore(nextPrune)) {
            return;
        }
        nextPrune = now.plus(PRUNE_EVERY);
        try (PreparedStatement statement = connection.prepareStatement(PRUNE)) {
            bind(statement, at(now), at(now.minus(config.throttle().knownAddressLifetime())));
            statement.executeUpdate();
        }
    }

    private static String pairKey(String user, String network) {
        return user + ' ' + network;
    }

    /**
     * The username as counted: folded as stored names are, then SHA-256 (hex), so any string a client sends
     * (a NUL, 1 KiB of junk) is a short key PostgreSQL accepts, and tried names are not kept in clear.
     */
    static String fold(String username) {
        String folded = Usernames.fold(username);
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(folded.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime has SHA-256", e);
        }
    }

    /** The address an attacker cannot cheaply vary: IPv4 as is, IPv6 by its /64 (one subscriber's usual share). */
    static String network(String address) {
        if (address == null || address.indexOf(':') < 0) {
            return address;
        }
        try {
            byte[] bytes = InetAddress.getByName(address.startsWith("[") ? address : "[" + address + "]").getAddress();
            if (bytes.length != 16) {
                return InetAddress.getByAddress(bytes).getHostAddress(); // an IPv4-mapped address is IPv4
            }
            Arrays.fill(bytes, 8, 16, (byte) 0);
            return InetAddress.getByAddress(bytes).getHostAddress() + "/64";
        } catch (UnknownHostException e) {
            return address; // not a literal (cannot happen for a socket's address): count it as given
        }
    }

    private static Refusal unavailable(SQLException e) {
        LOG.warnf("Login throttling could not reach the database (%s)", e.getClass().getSimpleName());
        return Refusal.loginsUnavailable();
    }
}
