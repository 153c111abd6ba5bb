package io.latchkey.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.latchkey.error.ErrorCode;
import io.latchkey.error.Refusal;
import io.latchkey.user.Passwords;
import io.latchkey.web.WellFormedJsonStrings;

/** Reading a login's username and password from HTTP Basic, a form or JSON; anything else is invalid_request. */
@Tag("plain")
class LoginCredentialsTest {

    private static final MediaType FORM = new MediaType("application", "x-www-form-urlencoded");
    private static final MediaType JSON = new MediaType("application", "json");

    private final ObjectMapper json = mapper();

    @Test
    void basicCredentialsAreRead() {
        LoginCredentials read = read(basic("alice:s3cret:with:colons"), null, "");

        assertEquals(new LoginCredentials("alice", "s3cret:with:colons"), read);
    }

    @Test
    void basicCredentialsWinOverABody() {
        LoginCredentials read = read(basic("alice:from-header"), JSON, "{\"username\":\"bob\",\"password\":\"body\"}");

        assertEquals(new LoginCredentials("alice", "from-header"), read);
    }

    @Test
    void basicCredentialsThatAreNotBase64AreRefused() {
        assertInvalid(() -> read("Basic !!!not-base64!!!", null, ""));
    }

    @Test
    void formCredentialsAreRead() {
        assertEquals(new LoginCredentials("alice", "pw 1"), read(null, FORM, "username=alice&password=pw+1"));
    }

    @Test
    void formAliasesAreRead() {
        assertEquals(new LoginCredentials("alice", "pw"), read(null, FORM, "__ac_name=alice&__ac_password=pw"));
    }

    @Test
    void formFieldWinsOverItsAlias() {
        assertEquals(new LoginCredentials("alice", "pw"),
                read(null, FORM, "__ac_name=bob&username=alice&__ac_password=other&password=pw"));
    }

    @Test
    void jsonCredentialsAreRead() {
        assertEquals(new LoginCredentials("alice", "pw"), read(null, JSON, "{\"username\":\"alice\",\"password\":\"pw\"}"));
    }

    @Test
    void jsonOfAVendorTypeIsRead() {
        MediaType vendor = new MediaType("application", "vnd.example+json");

        assertEquals(new LoginCredentials("alice", "pw"),
                read(null, vendor, "{\"username\":\"alice\",\"password\":\"pw\"}"));
    }

    @Test
    void bodyThatIsNotJsonIsRefused() {
        assertInvalid(() -> read(null, JSON, "{\"username\":"));
    }

    @Test
    void jsonThatIsNotAnObjectIsRefused() {
        assertInvalid(() -> read(null, JSON, "[\"alice\",\"pw\"]"));
        assertInvalid(() -> read(null, JSON, "null"));
    }

    @Test
    void jsonFieldThatIsNotAStringIsRefused() {
        Refusal refusal = assertInvalid(() -> read(null, JSON, "{\"username\":42,\"password\":\"pw\"}"));

        assertTrue(refusal.description().contains("'username'"), refusal.description());
    }

    @Test
    void jsonNullFieldCountsAsMissing() {
        Refusal refusal = assertInvalid(() -> read(null, JSON, "{\"username\":null,\"password\":\"pw\"}"));

        assertTrue(refusal.description().contains("required"), refusal.description());
    }

    @Test
    void jsonStringThatIsNotUnicodeIsRefused() {
        assertInvalid(() -> read(null, JSON, "{\"username\":\"\\ud800\",\"password\":\"pw\"}"));
    }

    @Test
    void missingBodyIsRefused() {
        assertInvalid(() -> read(null, JSON, null));
        assertInvalid(() -> read(null, JSON, ""));
    }

    @Test
    void bodyOfAnotherTypeIsRefused() {
        assertInvalid(() -> read(null, new MediaType("text", "plain"), "username=alice&password=pw"));
        assertInvalid(() -> read(null, null, "username=alice&password=pw"));
    }

    @Test
    void bearerHeaderIsNotCredentials() {
        assertInvalid(() -> read("Bearer abc", null, ""));
    }

    @Test
    void emptyUsernameOrPasswordIsRefused() {
        assertInvalid(() -> read(null, FORM, "username=&password=pw"));
        assertInvalid(() -> read(null, FORM, "username=alice&password="));
        assertInvalid(() -> read(null, FORM, "password=pw"));
        assertInvalid(() -> read(null, FORM, "username=alice"));
    }

    @Test
    void usernameOf1024BytesIsReadAndOneByteMoreIsRefused() {
        String longest = "é".repeat(512);

        assertEquals(longest, read(basic(longest + ":pw"), null, "").username());
        assertInvalid(() -> read(basic(longest + "a:pw"), null, ""));
    }

    @Test
    void passwordUpToItsMaximumBytesIsReadAndOneByteMoreIsRefused() {
        String longest = "é".repeat(Passwords.MAX_BYTES / 2);

        assertEquals(longest, read(basic("alice:" + longest), null, "").password());
        assertInvalid(() -> read(basic("alice:" + longest + "a"), null, ""));
    }

    @Test
    void toStringDoesNotShowThePassword() {
        String shown = new LoginCredentials("alice", "hunter2-secret").toString();

        assertTrue(shown.contains("alice"));
        assertFalse(shown.contains("hunter2-secret"));
    }

    private LoginCredentials read(String authorization, MediaType type, String body) {
        return LoginCredentials.read(headers(authorization, type),
                body == null ? null : body.getBytes(StandardCharsets.UTF_8), json);
    }

    private static Refusal assertInvalid(Runnable reading) {
        Refusal refusal = assertThrows(Refusal.class, reading::run);
        assertEquals(ErrorCode.INVALID_REQUEST, refusal.code());
        return refusal;
    }

    private static String basic(String userColonPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8));
    }

    /** The two things the reader asks of the request's headers. */
    private static HttpHeaders headers(String authorization, MediaType type) {
        return (HttpHeaders) Proxy.newProxyInstance(HttpHeaders.class.getClassLoader(),
                new Class<?>[] {HttpHeaders.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getRequestHeader" -> HttpHeaders.AUTHORIZATION.equalsIgnoreCase((String) args[0])
                            && authorization != null ? List.of(authorization) : null;
                    case "getMediaType" -> type;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static ObjectMapper mapper() {
        ObjectMapper mapper = new ObjectMapper();
        new WellFormedJsonStrings().customize(mapper);
        return mapper;
    }
}
