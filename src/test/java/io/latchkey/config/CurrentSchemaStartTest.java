package io.latchkey.config;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.latchkey.user.UserService;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * A start on a database whose schema is current (migrated before, here by {@link TestDatabase}) leaves it alone
 * without Flyway, and the service works on it.
 */
@QuarkusTest
@TestProfile(CurrentSchemaStartTest.MigratedDatabase.class)
class CurrentSchemaStartTest {

    @Inject
    DatabaseSchema schema;
    @Inject
    UserService users;

    @Test
    void aStartOnACurrentSchemaSkipsFlyway() {
        assertFalse(schema.migratedAtStart());
    }

    @Test
    void theServiceWorksOnTheSchemaItLeftAlone() {
        given().when().get("/q/health/ready").then().statusCode(200);
        String name = "current-schema-" + UUID.randomUUID().toString().substring(0, 8);
        users.create(name, "pw-" + name, List.of("reader"));

        given().auth().preemptive().basic(name, "pw-" + name)
                .when().post("/login")
                .then().statusCode(200);
    }

    /** The datasource is the plain tests' database, which TestDatabase migrated with Flyway. */
    public static class MigratedDatabase implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.datasource.jdbc.url", TestDatabase.jdbcUrl(),
                    "quarkus.datasource.username", "postgres",
                    "quarkus.datasource.password", "postgres");
        }
    }
}
