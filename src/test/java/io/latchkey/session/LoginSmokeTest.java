package io.latchkey.session;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import org.junit.jupiter.api.Test;

import io.latchkey.TestApi;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class LoginSmokeTest {

    @Test
    void basicLoginIssuesATokenThatNamesTheUser() {
        TestApi.TestUser user = TestApi.createUser("smoke", "reader");
        String token = TestApi.login(user);
        given().auth().oauth2(token)
                .when().get("/users/current")
                .then().statusCode(200)
                .body("username", equalTo(user.username()))
                .body("created_at", notNullValue());
    }
}
