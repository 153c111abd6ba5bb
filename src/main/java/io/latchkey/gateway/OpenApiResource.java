package io.latchkey.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * The contract, openapi.yaml, served as it is in the repository, or as JSON when asked for ({@code ?format=json} or
 * {@code Accept: application/json}). Read when first asked for, not at start-up: an OpenAPI extension that parses
 * and re-serialises the document at every start cost a fifth of the start-up's CPU.
 */
@Path("/q/openapi")
public class OpenApiResource {

    private static final MediaType YAML = new MediaType("application", "yaml", "UTF-8");
    private static final MediaType JSON = new MediaType("application", "json", "UTF-8");

    /** The document in both forms, loaded on first use. */
    private static final class Document {
        static final byte[] YAML_BYTES = read();
        static final byte[] JSON_BYTES = toJson(YAML_BYTES);

        private static byte[] read() {
            try (InputStream in = OpenApiResource.class.getResourceAsStream("/META-INF/openapi.yaml")) {
                if (in == null) {
                    throw new IllegalStateException("META-INF/openapi.yaml is missing from the build");
                }
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static byte[] toJson(byte[] yaml) {
            try {
                return new ObjectMapper().writeValueAsBytes(new YAMLMapper().readTree(yaml));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @GET
    public Response document(@QueryParam("format") String format, @Context HttpHeaders headers) {
        boolean json = format != null ? format.equalsIgnoreCase("json")
                : headers.getAcceptableMediaTypes().stream().anyMatch(type -> type.isCompatible(JSON)
                        && !type.isWildcardType() && !type.isWildcardSubtype());
        return json ? Response.ok(Document.JSON_BYTES, JSON).build() : Response.ok(Document.YAML_BYTES, YAML).build();
    }
}
