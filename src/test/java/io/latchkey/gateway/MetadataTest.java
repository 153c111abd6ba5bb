package io.latchkey.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

import io.latchkey.TestApi;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
class MetadataTest {

    private static String issuerOfIssuedToken() throws Exception {
        String token = TestApi.login(TestApi.createUser("meta"));
        String payload = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
        return JwtClaims.parse(payload).getIssuer();
    }

    @Test
    void issuerEqualsTheIssOfIssuedTokens() throws Exception {
        String iss = issuerOfIssuedToken();

        String issuer = given().when().get("/.well-known/oauth-authorization-server")
                .then().statusCode(200)
                .contentType(ContentType.JSON)
                .extract().path("issuer");

        assertEquals(iss, issuer);
    }

    @Test
    void introspectionEndpointIsAdvertisedUnderTheIssuer() throws Exception {
        String iss = issuerOfIssuedToken();
        String base = iss.endsWith("/") ? iss.substring(0, iss.length() - 1) : iss;

        given().when().get("/.well-known/oauth-authorization-server")
                .then().statusCode(200)
                .body("introspection_endpoint", startsWith(base))
                .body("introspection_endpoint", endsWith("/introspect"));
    }

    @Test
    void introspectionAuthMethodsIncludeClientSecretBasic() {
        given().when().get("/.well-known/oauth-authorization-server")
                .then().statusCode(200)
                .body("introspection_endpoint_auth_methods_supported", hasItem("client_secret_basic"));
    }

    @Test
    void signingAlgorithmsInUseAreListed() {
        // the default configuration: HS256 keys only
        given().when().get("/.well-known/oauth-authorization-server")
                .then().statusCode(200)
                .body("token_signing_alg_values_supported", org.hamcrest.Matchers.contains("HS256"));
    }

    @Test
    void metadataNeedsNoAuthentication() {
        given().when().get("/.well-known/oauth-authorization-server")
                .then().statusCode(200);
    }
}
