package io.latchkey.web;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.latchkey.config.LatchkeyConfig;
import io.latchkey.error.ErrorCode;
import io.latchkey.error.Refusal;
import io.vertx.core.http.HttpServerRequest;

/**
 * Login CSRF: a page of another site must not log a browser in (to an account of the attacker's). A browser
 * says where a request comes from with {@code Sec-Fetch-Site} and {@code Origin}; a request without either
 * (curl, a service) is not a browser's and passes. Allowed origins: the one the request was sent to, the
 * issuer's, and {@code latchkey.allowed-origins}; {@code Origin: null} (sandboxed frames, redirects) is foreign.
 */
@ApplicationScoped
public class CrossSiteRequests {

    @Inject
    LatchkeyConfig config;

    private final Set<String> allowed = new HashSet<>();

    @PostConstruct
    void collectAllowedOrigins() {
        origin(config.issuer()).ifPresent(allowed::add);
        for (String configured : config.allowedOrigins().orElse(List.of())) {
            allowed.add(origin(configured.strip()).orElseThrow(() -> new IllegalArgumentException(
                    "latchkey.allowed-origins: '" + configured + "' is not an origin like https://app.example.com")));
        }
    }

    /** Refuses with 403 {@code cross_site_request} what a browser sent on behalf of a foreign site. */
    public void refuseForeign(HttpServerRequest request) {
        List<String> fetchSite = request.headers().getAll("Sec-Fetch-Site");
        if (fetchSite.stream().anyMatch(site -> site.strip().equalsIgnoreCase("cross-site"))) {
            throw refused();
        }
        List<String> origins = request.headers().getAll("Origin");
        if (origins.isEmpty()) {
            return;
        }
        Optional<String> origin = origins.size() == 1 ? origin(origins.get(0).strip()) : Optional.empty();
        if (origin.isEmpty() || !(allowed.contains(origin.get()) || origin.equals(ownOrigin(request)))) {
            throw refused();
        }
    }

    /** The scheme, host and port this request was sent to (as forwarded by a trusted proxy, when configured). */
    private static Optional<String> ownOrigin(HttpServerRequest request) {
        return request.authority() == null ? Optional.empty()
                : origin(request.scheme() + "://" + request.authority());
    }

    /** {@code scheme://host:port} with the port always written, or empty when {@code text} is no http(s) origin. */
    static Optional<String> origin(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || uri.getRawUserInfo() != null
                || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            return Optional.empty();
        }
        int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        return Optional.of(scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port);
    }

    private static Refusal refused() {
        return new Refusal(ErrorCode.CROSS_SITE_REQUEST, "Logins from another site's pages are refused.");
    }
}
