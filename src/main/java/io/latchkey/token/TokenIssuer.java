package io.latchkey.token;

import java.security.PrivateKey;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import javax.crypto.SecretKey;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.latchkey.config.LatchkeyConfig;
import io.latchkey.key.KeyForSigning;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtSignatureBuilder;

/**
 * Signs tokens with the user's current key, named by {@code kid}, in that key's algorithm (HS256 or EdDSA),
 * carrying every claim of the contract.
 */
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

    public IssuedToken issue(UUID userId, String username, List<String> roles, KeyForSigning key) {
        Instant now = Instant.ofEpochSecond(clock.instant().getEpochSecond());
        Instant expires = now.plus(config.tokenLifetime());
        String jti = UUID.randomUUID().toString();
        JwtSignatureBuilder jws = Jwt.claims()
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
                .algorithm(switch (key.key().algorithm()) {
                    case HS256 -> SignatureAlgorithm.HS256;
                    case EdDSA -> SignatureAlgorithm.EDDSA;
                })
                .keyId(key.key().kid())
                .header("typ", "JWT");
        String token = key.signingKey() instanceof SecretKey secret ? jws.sign(secret)
                : jws.sign((PrivateKey) key.signingKey());
        return new IssuedToken(token, jti, expires);
    }
}
