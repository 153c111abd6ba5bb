package io.latchkey.config;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/** A start on a new database (every test start's embedded one) migrates it before anything reads it. */
@QuarkusTest
class SchemaAtStartTest {

    @Inject
    DatabaseSchema schema;

    @Test
    void aStartOnANewDatabaseRunsTheMigrations() {
        assertTrue(schema.migratedAtStart());
        given().when().get("/q/health/ready").then().statusCode(200);
    }
}
