package io.latchkey.session;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.latchkey.user.Passwords;
import io.latchkey.error.Refusal;
import io.latchkey.web.AuthorizationHeader;
import io.latchkey.web.FormBody;
import io.latchkey.web.WellFormedJsonStrings;

/**
 * The username and password of a login, from HTTP Basic, a form ({@code username}/{@code password} or the
 * {@code __ac_name}/{@code __ac_password} aliases) or JSON. Anything missing or malformed is a 400.
 */
record LoginCredentials(String username, String password) {

    private static final int MAX_USERNAME_BYTES = 1024;

    @Override
    public String toString() {
        return "LoginCredentials[username=" + username + "]";
    }

    static LoginCredentials read(HttpHeaders headers, byte[] body, ObjectMapper json) {
        AuthorizationHeader authorization = AuthorizationHeader.of(headers.getRequestHeader(HttpHeaders.AUTHORIZATION));
        if (authorization.scheme() == AuthorizationHeader.Scheme.BASIC) {
            return authorization.basic()
                    .map(basic -> checked(basic.id(), basic.secret()))
                    .orElseThrow(() -> Refusal.invalidRequest("The Basic credentials are not valid Base64 of UTF-8 'username:password'."));
        }
        MediaType type = headers.getMediaType();
        if (body == null || body.length == 0) {
            throw Refusal.invalidRequest("Credentials are missing: use HTTP Basic, a form or a JSON body.");
        }
        if (type != null && type.isCompatible(MediaType.APPLICATION_FORM_URLENCODED_TYPE)) {
            return fromForm(FormBody.parse(new String(body, StandardCharsets.UTF_8)));
        }
        if (type != null && (type.isCompatible(MediaType.APPLICATION_JSON_TYPE) || type.getSubtype().endsWith("+json"))) {
            return fromJson(body, json);
        }
        throw Refusal.invalidRequest("Send credentials as application/x-www-form-urlencoded, application/json or HTTP Basic.");
    }

    private static LoginCredentials fromForm(FormBody form) {
        return checked(either(form, "username", "__ac_name"), either(form, "password", "__ac_password"));
    }

    private static String either(FormBody form, String name, String alias) {
        Optional<String> value = form.get(name);
        return value.isPresent() ? value.get() : form.get(alias).orElse(null);
    }

    private static LoginCredentials fromJson(byte[] body, ObjectMapper json) {
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (IOException e) {
            throw Refusal.invalidRequest("The body is not valid JSON.");
        } catch (WellFormedJsonStrings.NotUnicode e) {
            throw Refusal.invalidRequest(e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw Refusal.invalidRequest("The body must be a JSON object with username and password.");
        }
        return checked(text(node, "username"), text(node, "password"));
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw Refusal.invalidRequest("'" + field + "' must be a string.");
        }
        return value.textValue();
    }

    private static LoginCredentials checked(String username, String password) {
        if (username == null || username.isEmpty() || password == null || password.isEmpty()) {
            throw Refusal.invalidRequest("Both username and password are required.");
        }
        if (username.getBytes(StandardCharsets.UTF_8).length > MAX_USERNAME_BYTES) {
            throw Refusal.invalidRequest("The username is too long.");
        }
        if (password.getBytes(StandardCharsets.UTF_8).length > Passwords.MAX_BYTES) {
            throw Refusal.invalidRequest("The password is longer than " + Passwords.MAX_BYTES + " bytes.");
        }
        return new LoginCredentials(username, password);
    }
}
