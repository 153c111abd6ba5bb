package io.latchkey.session;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.net.URI;

import org.junit.jupiter.api.Test;

import io.latchkey.TestApi;
import io.latchkey.TestApi.TestUser;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;

/**
 * Login CSRF: {@code /login} sent by a browser on behalf of another site's page is refused with 403
 * {@code cross_site_request} and sets no cookie; the service's own pages, the issuer's origin, configured
 * origins (the test profile allows https://app.example.test) and non-browser clients pass.
 */
@QuarkusTest
class CrossSiteLoginTest {

    @TestHTTPResource("/")
    URI base;

    @Test
    void loginMarkedCrossSiteByTheBrowserIsRefused() {
        TestUser user = TestApi.createUser("csrf-fetch-site");
        assertRefused(form(user).header("Sec-Fetch-Site", "cross-site"));
    }

    @Test
    void loginFromAForeignOriginIsRefused() {
        TestUser user = TestApi.createUser("csrf-origin");
        assertRefused(form(user).header("Origin", "https://evil.example"));
        assertRefused(json(user).header("Origin", "https://evil.example"));
    }

    @Test
    void loginWithOriginNullIsRefused() {
        TestUser user = TestApi.createUser("csrf-null");
        assertRefused(form(user).header("Origin", "null"));
    }

    @Test
    void loginFromTheServiceOwnOriginPasses() {
        TestUser user = TestApi.createUser("csrf-own");
        String own = "http://" + base.getHost() + ":" + base.getPort();
        form(user).header("Origin", own).header("Sec-Fetch-Site", "same-origin")
                .when().post("/login").then().statusCode(200);
    }

    @Test
    void loginFromTheIssuerOriginPasses() {
        // the test profile's issuer is the default http://localhost:8080, not where the test server listens
        TestUser user = TestApi.createUser("csrf-issuer");
        form(user).header("Origin", "http://localhost:8080").when().post("/login").then().statusCode(200);
    }

    @Test
    void loginFromAConfiguredOriginPasses() {
        TestUser user = TestApi.createUser("csrf-allowed");
        form(user).header("Origin", "https://app.example.test").header("Sec-Fetch-Site", "same-site")
                .when().post("/login").then().statusCode(200);
    }

    @Test
    void loginWithoutBrowserHeadersIsUnaffected() {
        TestUser user = TestApi.createUser("csrf-curl");
        form(user).when().post("/login").then().statusCode(200);
    }

    private static void assertRefused(RequestSpecification request) {
        request.when().post("/login")
                .then().statusCode(403)
                .header("Set-Cookie", nullValue())
                .body("error", equalTo("cross_site_request"));
    }

    private static RequestSpecification form(TestUser user) {
        return given().contentType("application/x-www-form-urlencoded")
                .formParam("username", user.username()).formParam("password", user.password());
    }

    private static RequestSpecification json(TestUser user) {
        return given().contentType("application/json")
                .body("{\"username\":\"" + user.username() + "\",\"password\":\"" + user.password() + "\"}");
    }
}
