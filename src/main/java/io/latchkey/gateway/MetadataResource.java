package io.latchkey.gateway;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.latchkey.config.KeyAlgorithm;
import io.latchkey.config.LatchkeyConfig;
import io.latchkey.key.KeyService;
import io.smallrye.common.annotation.NonBlocking;

/** RFC 8414 authorization server metadata; {@code issuer} equals the {@code iss} of issued tokens. */
@Path("/.well-known/oauth-authorization-server")
public class MetadataResource {

    /**
     * No OAuth 2.0 authorization or token endpoint exists (login is Latchkey's own), hence no response types.
     * {@code token_signing_alg_values_supported}: the {@code alg} of tokens Latchkey issues, so a verifier knows
     * which its library must accept.
     */
    public record Metadata(String issuer, String introspectionEndpoint,
            List<String> introspectionEndpointAuthMethodsSupported, List<String> responseTypesSupported,
            List<String> tokenSigningAlgValuesSupported) {
    }

    @Inject
    LatchkeyConfig config;
    @Inject
    KeyService keys;

    @GET
    @NonBlocking // constant: answered on the I/O thread, like the hot paths it is compared with in bench/
    @Produces(MediaType.APPLICATION_JSON)
    public Metadata metadata() {
        String base = config.issuer().endsWith("/") ? config.issuer().substring(0, config.issuer().length() - 1)
                : config.issuer();
        List<String> algorithms = keys.algorithmsInUse().stream().sorted().map(KeyAlgorithm::jwsName).toList();
        return new Metadata(config.issuer(), base + "/introspect", List.of("client_secret_basic"), List.of(),
                algorithms);
    }
}
