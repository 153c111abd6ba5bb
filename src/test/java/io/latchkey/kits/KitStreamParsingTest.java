package io.latchkey.kits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.latchkey.token.TokenForge;

/**
 * Each kit reads the event stream as the Server-Sent Events specification allows a server to write it (CR, LF or
 * CRLF line ends, {@code id:6} without a space, comments, unknown fields and kinds, data on two lines) and resumes
 * with {@code Last-Event-ID}. A scripted server plays Latchkey here, so every one of those forms is sent for sure.
 */
class KitStreamParsingTest {

    private static final String ISSUER = "https://latchkey.test";
    private static final String SUB = UUID.randomUUID().toString();
    private static final String KID = UUID.randomUUID().toString();
    private static final byte[] SECRET = new byte[32];

    private HttpServer server;
    private RunningKit kit;
    private final List<String> lastEventIds = new CopyOnWriteArrayList<>();
    private final BlockingQueue<String> toSend = new LinkedBlockingQueue<>();
    private volatile boolean running = true;

    @BeforeEach
    void scriptedLatchkey() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.createContext("/keys/", this::key);
        server.createContext("/events", this::events);
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        running = false;
        if (kit != null) {
            kit.close();
        }
        server.stop(0);
    }

    @ParameterizedTest
    @EnumSource(VerifierKit.class)
    void kitReadsEveryFormOfTheStreamAndResumesAfterTheLastId(VerifierKit which) throws Exception {
        String revoked = token();
        String kept = token();
        kit = RunningKit.start(which, "http://127.0.0.1:" + server.getAddress().getPort(), "client", "secret",
                ISSUER, Duration.ofSeconds(4));
        assertTrue(kit.awaitVerdict(revoked, v -> v.startsWith("valid"), Duration.ofSeconds(30)).startsWith("valid"),
                "accepted while the stream beats: " + kit.stderr());

        long exp = NumericDate.now().getValue() + 600;
        String jti = (String) io.latchkey.TestApi.claims(revoked).get("jti");
        toSend.add("retry: 100\r\nfuture-field: ignored\r\nevent: something.new\r\ndata: {\"a\":\r\ndata: 1}\r\nid: 5\r\n\r\n"
                + ": the next event uses bare CRs and no space after the colons\r"
                + "id:6\revent:token.revoked\rdata:{\"jti\":\"" + jti + "\",\"sub\":\"" + SUB + "\",\"exp\":" + exp + "}\r\r");

        // "invalid stale" may come first on a loaded machine (the reconnect outlasting the lease); it passes
        assertEquals("invalid revoked", kit.awaitVerdict(revoked, "invalid revoked"::equals, Duration.ofSeconds(10)));
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (lastEventIds.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(List.of("0", "6"), lastEventIds,
                "the first connection asks for the whole log, the second resumes after id 6");
        assertTrue(kit.awaitVerdict(kept, v -> v.startsWith("valid"), Duration.ofSeconds(10)).startsWith("valid"),
                "another token of that key is valid once the second connection beats");
        assertEquals("invalid revoked", kit.verdict(revoked));
    }

    private static String token() {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(ISSUER);
        claims.setAudience("latchkey");
        claims.setSubject(SUB);
        claims.setExpirationTimeMinutesInTheFuture(10);
        claims.setIssuedAtToNow();
        claims.setGeneratedJwtId();
        return TokenForge.hs256(claims, KID, new HmacKey(SECRET));
    }

    private void key(HttpExchange exchange) throws IOException {
        String k = Base64.getUrlEncoder().withoutPadding().encodeToString(SECRET);
        byte[] body = ("{\"kty\":\"oct\",\"kid\":\"" + KID + "\",\"alg\":\"HS256\",\"use\":\"sig\",\"k\":\"" + k
                + "\",\"sub\":\"" + SUB + "\"}").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("Cache-Control", "private, max-age=300");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    /** Heartbeats every half second; the first connection ends right after sending the scripted events. */
    private void events(HttpExchange exchange) throws IOException {
        String lastEventId = exchange.getRequestHeaders().getFirst("Last-Event-ID");
        lastEventIds.add(lastEventId == null ? "none" : lastEventId);
        boolean first = lastEventIds.size() == 1;
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            while (running) {
                String scripted = toSend.poll(500, TimeUnit.MILLISECONDS);
                if (scripted != null) {
                    write(out, scripted);
                    if (first) {
                        return;
                    }
                }
                write(out, ":\nevent: heartbeat\ndata: {\"latest\": " + (first ? 4 : 6) + "}\n\n");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the kit went away
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
