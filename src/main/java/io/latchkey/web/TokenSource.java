package io.latchkey.web;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;

/**
 * Where a request's token comes from: {@code Authorization: Bearer}, then cookie {@code token}, then header
 * {@code X-JWT-Auth-Token}. The first source present is the only one used: a broken Authorization header is
 * not excused by a good cookie. {@code Authorization: Basic} is never a token source.
 */
public final class TokenSource {

    public static final String COOKIE = "token";
    public static final String HEADER = "X-JWT-Auth-Token";

    /** What the request presents: nothing, a token to verify, or a source that is present but unusable. */
    public sealed interface Presented permits Absent, Found, Malformed {
    }

    public record Absent() implements Presented {
    }

    /** A token, and whether it came from the cookie (which a browser sends by itself). */
    public record Found(String token, boolean fromCookie) implements Presented {
        @Override
        public String toString() {
            return "Found[token=<redacted>, fromCookie=" + fromCookie + "]";
        }
    }

    public record Malformed() implements Presented {
    }

    private TokenSource() {
    }

    public static Presented read(HttpHeaders headers) {
        return read(headers.getRequestHeader(HttpHeaders.AUTHORIZATION), headers.getCookies(),
                headers.getRequestHeader(HttpHeaders.COOKIE), headers.getRequestHeader(HEADER));
    }

    static Presented read(List<String> authorization, Map<String, Cookie> cookies, List<String> cookieHeaders,
            List<String> tokenHeader) {
        AuthorizationHeader header = AuthorizationHeader.of(authorization);
        if (header.isPresent() && header.scheme() != AuthorizationHeader.Scheme.BASIC) {
            return header.scheme() == AuthorizationHeader.Scheme.BEARER
                    ? header.credentials().<Presented>map(token -> new Found(token, false)).orElseGet(Malformed::new)
                    : new Malformed();
        }
        Cookie cookie = cookies == null ? null : cookies.get(COOKIE);
        if (cookie != null) {
            // the cookie map keeps one of several: which one a browser, a proxy or we would pick differs
            return tokenCookies(cookieHeaders) > 1 ? new Malformed() : nonEmpty(cookie.getValue(), true);
        }
        if (tokenHeader != null && !tokenHeader.isEmpty()) {
            return tokenHeader.size() == 1 ? nonEmpty(tokenHeader.get(0), false) : new Malformed();
        }
        return new Absent();
    }

    /** How many cookies named {@code token} the Cookie headers carry (RFC 6265: {@code name=value} pairs split by ';'). */
    private static long tokenCookies(List<String> cookieHeaders) {
        if (cookieHeaders == null) {
            return 0;
        }
        return cookieHeaders.stream()
                .flatMap(line -> Arrays.stream(line.split("[;,]")))
                .filter(pair -> pair.strip().startsWith(COOKIE + "=") || pair.strip().equals(COOKIE))
                .count();
    }

    private static Presented nonEmpty(String token, boolean fromCookie) {
        return token == null || token.isBlank() ? new Malformed() : new Found(token.strip(), fromCookie);
    }
}
