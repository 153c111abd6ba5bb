package io.latchkey.web;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The request's {@code Authorization} header read by RFC 9110 rules: a case-insensitive scheme, one space,
 * and exactly one token68. Anything else (two headers, two tokens, trailing junk) authenticates nobody.
 */
public final class AuthorizationHeader {

    public enum Scheme { NONE, BASIC, BEARER, OTHER }

    private static final AuthorizationHeader ABSENT = new AuthorizationHeader(Scheme.NONE, null);

    private final Scheme scheme;
    private final String credentials; // null when malformed

    private AuthorizationHeader(Scheme scheme, String credentials) {
        this.scheme = scheme;
        this.credentials = credentials;
    }

    public static AuthorizationHeader of(List<String> values) {
        if (values == null || values.isEmpty()) {
            return ABSENT;
        }
        if (values.size() > 1) {
            return new AuthorizationHeader(Scheme.OTHER, null);
        }
        return parse(values.get(0));
    }

    static AuthorizationHeader parse(String value) {
        int space = value.indexOf(' ');
        String schemeName = (space < 0 ? value : value.substring(0, space)).toLowerCase(Locale.ROOT);
        Scheme scheme = switch (schemeName) {
            case "basic" -> Scheme.BASIC;
            case "bearer" -> Scheme.BEARER;
            default -> Scheme.OTHER;
        };
        String credentials = space < 0 ? null : value.substring(space + 1);
        return new AuthorizationHeader(scheme, isToken68(credentials) ? credentials : null);
    }

    public Scheme scheme() {
        return scheme;
    }

    public boolean isPresent() {
        return scheme != Scheme.NONE;
    }

    /** The single token68 after the scheme, or empty when the header is malformed. */
    public Optional<String> credentials() {
        return Optional.ofNullable(credentials);
    }

    /** The Basic user-id and password, or empty when this is not a well-formed Basic header. */
    public Optional<BasicCredentials> basic() {
        return scheme == Scheme.BASIC && credentials != null ? BasicCredentials.decode(credentials) : Optional.empty();
    }

    /** token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" */
    private static boolean isToken68(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        int i = 0;
        int n = s.length();
        while (i < n && isToken68Char(s.charAt(i))) {
            i++;
        }
        if (i == 0) {
            return false;
        }
        while (i < n && s.charAt(i) == '=') {
            i++;
        }
        return i == n;
    }

    private static boolean isToken68Char(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
    }
}
