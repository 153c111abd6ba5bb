package io.latchkey.gateway;

import java.net.InetAddress;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTest;

/**
 * A real Caddy running the shipped example deploy/caddy/Caddyfile as is (its three addresses come from the
 * environment), doing what {@link GatewayRoundTrip} requires of every gateway. .ci/run installs Caddy.
 */
@QuarkusTest
class CaddyGatewayTest extends GatewayRoundTrip {

    static final Path EXAMPLE = Path.of("deploy/caddy/Caddyfile");

    @Override
    Gateway start(URL latchkey, int backendPort) throws Exception {
        Path binary = requireProgram("caddy", "apt-get install caddy");
        int port = freePort();
        Path dir = Files.createTempDirectory("latchkey-caddy");
        ProcessBuilder builder = new ProcessBuilder(binary.toString(), "run", "--config",
                EXAMPLE.toAbsolutePath().toString(), "--adapter", "caddyfile");
        Map<String, String> env = builder.environment();
        env.put("LATCHKEY_UPSTREAM",
                InetAddress.getByName(latchkey.getHost()).getHostAddress() + ":" + latchkey.getPort());
        env.put("BACKEND_UPSTREAM", "127.0.0.1:" + backendPort);
        env.put("GATEWAY_ADDRESS", "http://127.0.0.1:" + port);
        // Caddy keeps state (certificates, autosaved config) under these; keep it in our directory
        env.put("HOME", dir.toString());
        env.put("XDG_DATA_HOME", dir.resolve("data").toString());
        env.put("XDG_CONFIG_HOME", dir.resolve("config").toString());
        return launch("caddy", builder, dir, port);
    }
}
