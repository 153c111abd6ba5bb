package io.latchkey.gateway;

import java.net.InetAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.quarkus.test.junit.QuarkusTest;

/**
 * A real nginx, configured by the shipped example deploy/nginx/latchkey-gateway.conf (its upstreams and port
 * substituted), doing what {@link GatewayRoundTrip} requires of every gateway. .ci/run installs nginx.
 */
@QuarkusTest
class NginxGatewayTest extends GatewayRoundTrip {

    static final Path EXAMPLE = Path.of("deploy/nginx/latchkey-gateway.conf");

    @Override
    Gateway start(URL latchkey, int backendPort) throws Exception {
        Path binary = requireProgram("nginx", "apt-get install nginx-light");
        int port = freePort();
        String latchkeyAddress = InetAddress.getByName(latchkey.getHost()).getHostAddress() + ":" + latchkey.getPort();
        String example = Files.readString(EXAMPLE, StandardCharsets.UTF_8);
        example = replaceOnce(example, "server latchkey:8080;", "server " + latchkeyAddress + ";");
        example = replaceOnce(example, "server backend:80;", "server 127.0.0.1:" + backendPort + ";");
        example = replaceOnce(example, "listen 8000;", "listen 127.0.0.1:" + port + ";");

        Path dir = Files.createTempDirectory("latchkey-nginx");
        Files.writeString(dir.resolve("latchkey-gateway.conf"), example);
        Files.writeString(dir.resolve("nginx.conf"), mainConfig(dir, "latchkey-gateway.conf"));

        // nginx's master stops its workers and exits on SIGTERM
        return launch("nginx", new ProcessBuilder(binary.toString(), "-e", "stderr", "-p", dir.toString(),
                "-c", dir.resolve("nginx.conf").toString(),
                "-g", "daemon off; pid " + dir.resolve("nginx.pid") + ";"), dir, port);
    }

    /** Only what the file {@code included} (of {@code dir}) needs around it: temp paths in dir, logs to stderr. */
    static String mainConfig(Path dir, String included) {
        boolean root = "root".equals(System.getProperty("user.name"));
        return String.join("\n", List.of(
                root ? "user root;" : "",
                "worker_processes 1;",
                "error_log stderr warn;",
                "events { worker_connections 256; }",
                "http {",
                "    access_log off;",
                "    client_body_temp_path " + dir.resolve("client_body") + ";",
                "    proxy_temp_path " + dir.resolve("proxy") + ";",
                "    fastcgi_temp_path " + dir.resolve("fastcgi") + ";",
                "    uwsgi_temp_path " + dir.resolve("uwsgi") + ";",
                "    scgi_temp_path " + dir.resolve("scgi") + ";",
                "    include " + dir.resolve(included) + ";",
                "}", ""));
    }

    /** Replaces the one line of the example that is exactly {@code directive} (comments may mention it). */
    private static String replaceOnce(String text, String directive, String replacement) {
        List<String> lines = new ArrayList<>(text.lines().toList());
        int found = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).trim().equals(directive)) {
                lines.set(i, replacement);
                found++;
            }
        }
        if (found != 1) {
            throw new IllegalStateException(EXAMPLE + " must have the line '" + directive + "' exactly once (the "
                    + "test substitutes it); found " + found);
        }
        return String.join("\n", lines) + "\n";
    }
}
