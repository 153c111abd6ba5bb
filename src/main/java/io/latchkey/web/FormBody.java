package io.latchkey.web;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import io.latchkey.error.Refusal;

/**
 * An application/x-www-form-urlencoded body, parsed strictly: a bad escape or a repeated field is a
 * malformed request (RFC 6749 section 3.1: parameters must not be included more than once).
 */
public final class FormBody {

    private final Map<String, String> fields;

    private FormBody(Map<String, String> fields) {
        this.fields = fields;
    }

    public static FormBody parse(String body) {
        Map<String, String> fields = new HashMap<>();
        if (body != null && !body.isEmpty()) {
            for (String pair : body.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                if (fields.putIfAbsent(name, value) != null) {
                    throw Refusal.invalidRequest("The form field '" + printable(name) + "' is repeated.");
                }
            }
        }
        return new FormBody(fields);
    }

    public Optional<String> get(String name) {
        return Optional.ofNullable(fields.get(name));
    }

    private static String decode(String s) {
        if (s.indexOf('%') < 0 && s.indexOf('+') < 0) {
            return s; // nothing encoded, the common case of a token: skip the decoder's copy
        }
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw Refusal.invalidRequest("The form body is not valid URL encoding.");
        }
    }

    private static String printable(String name) {
        return name.length() > 40 || !name.chars().allMatch(c -> c >= 0x20 && c < 0x7f) ? "?" : name;
    }
}
