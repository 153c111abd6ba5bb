package io.latchkey.key;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.latchkey.config.TestDatabase;

/**
 * What start-up reads of the signing keys is found by index, not by a scan of every key, so a start does not take
 * longer with every user (bench/scale.sh: three scans were about 0.4 s at 1,000,000 users). The test tables are
 * small enough for the planner to prefer a scan, so scans are priced out (enable_seqscan off) and the plan must name
 * the index made for the query: without it, the plan scans the table or a whole other index. Plain JUnit on a real
 * PostgreSQL.
 */
@Tag("plain")
class StartUpKeyReadsTest {

    @Test
    void theKeysLeftInTheOldFormatAreFoundByIndex() throws SQLException {
        assertUses("signing_keys_legacy_format", KeyCiphertextRebinding.LEGACY_KEYS);
    }

    @Test
    void theCurrentKeysWithUntaggedKidsAreFoundByIndex() throws SQLException {
        assertUses("signing_keys_current_untagged", Kids.CURRENT_UNTAGGED);
    }

    @Test
    void whetherACurrentKeyHasAnAlgorithmIsFoundByIndex() throws SQLException {
        assertUses("signing_keys_current_algorithm", KeyService.ANY_CURRENT_OF_ALGORITHM.replace("?1", "'EdDSA'"));
    }

    private static void assertUses(String index, String query) throws SQLException {
        String plan = planOf(query);
        assertTrue(plan.contains(" " + index + " "), plan);
        assertFalse(plan.contains("Seq Scan"), plan);
    }

    private static String planOf(String query) throws SQLException {
        try (Connection connection = TestDatabase.dataSource().getConnection()) {
            connection.setAutoCommit(false);
            try (Statement settings = connection.createStatement()) {
                settings.execute("SET LOCAL enable_seqscan = off");
            }
            StringBuilder plan = new StringBuilder();
            try (PreparedStatement explain = connection.prepareStatement("EXPLAIN " + query);
                    ResultSet lines = explain.executeQuery()) {
                while (lines.next()) {
                    plan.append(lines.getString(1)).append('\n');
                }
            } finally {
                connection.rollback();
            }
            return plan.toString();
        }
    }
}
