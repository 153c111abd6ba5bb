package bench.bare;

import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The bare stack's one endpoint: a small constant JSON object, like Latchkey's metadata document. */
@Path("/hello")
public class HelloResource {

    private static final Map<String, Object> ANSWER = Map.of("active", true, "sub", "bare");

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> hello() {
        return ANSWER;
    }
}
