package io.latchkey.token;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.latchkey.config.LatchkeyConfig;
import io.latchkey.key.ActiveKey;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;

/** Signs tokens: HS256 with the user's current key, named by {@code kid}, carrying every claim of the contract. */
@ApplicationScoped
public class TokenIssuer {

    public static final String USERNAME_CLAIM = "preferred_username";
    public static final String ROLES_CLAIM = "roles";

    private final LatchkeyConfig config;
    private final Clock clock;

    @Inject
    TokenIssuer(LatchkeyConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    public IssuedToken issue(UUID userId, String username, List<String> roles, ActiveKey key) {
        Instant now = Instant.ofEpochSecond(clock.instant().getEpochSecond());
        Instant expires = now.plus(config.tokenLifetime());
        String jti = UUID.randomUUID().toString();
        String token = Jwt.claims()
                .issuer(config.issuer())
                .subject(userId.toString())
                .audience(config.audience())
                .issuedAt(now)
                .expiresAt(expires)
                .claim("nbf", now.getEpochSecond())
                .claim("jti", jti)
                .claim(USERNAME_CLAIM, username)
                .claim(ROLES_CLAIM, roles)
                .jws()
                .algorithm(SignatureAlgorithm.HS256)
                .keyId(key.kid())
                .header("typ", "JWT")
                .sign(key.secret());
        return new IssuedToken(token, jti, expires);
    }
}
