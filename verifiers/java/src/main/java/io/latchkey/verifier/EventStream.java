package io.latchkey.verifier;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A Server-Sent Events client for Latchkey's {@code GET /events}, reconnecting for ever with {@code Last-Event-ID}.
 * Parses the stream as the SSE specification says: lines end in CRLF, LF or CR; {@code field: value} with one
 * optional space after the colon; lines starting with a colon are comments; a blank line dispatches the event.
 */
final class EventStream implements Runnable {

    private static final System.Logger LOG = System.getLogger(EventStream.class.getName());

    interface Listener {
        /** The id to resume after (sent as Last-Event-ID), or null to start live. */
        String resumeAfter();

        /** A new connection is open; nothing heard on it yet. */
        void connected();

        void event(String type, String id, String data);
    }

    private final URI url;
    private final String authorization;
    private final Duration readTimeout;
    private final Listener listener;
    private volatile boolean closed;
    private volatile HttpURLConnection current;
    private boolean afterCarriageReturn;

    EventStream(URI url, String authorization, Duration readTimeout, Listener listener) {
        this.url = url;
        this.authorization = authorization;
        this.readTimeout = readTimeout;
        this.listener = listener;
    }

    @Override
    public void run() {
        int failures = 0;
        while (!closed) {
            try {
                readOneConnection();
                failures = 0;
            } catch (IOException | RuntimeException e) {
                // dropped, refused or silent for a whole read timeout: the lease makes the cache stale meanwhile
                failures = Math.min(failures + 1, 3);
            }
            pause(Duration.ofMillis(500L << failures)); // up to 4 s between attempts while Latchkey is away
        }
    }

    void close() {
        closed = true;
        HttpURLConnection connection = current;
        if (connection != null) {
            connection.disconnect();
        }
    }

    private void readOneConnection() throws IOException {
        HttpURLConnection connection = (HttpURLConnection) url.toURL().openConnection();
        current = connection;
        try {
            connection.setConnectTimeout((int) readTimeout.toMillis());
            // a silent link (no heartbeat for this long) is presumed dead, even if TCP still acknowledges
            connection.setReadTimeout((int) readTimeout.toMillis());
            connection.setRequestProperty("Authorization", authorization);
            connection.setRequestProperty("Accept", "text/event-stream");
            String resumeAfter = listener.resumeAfter();
            if (resumeAfter != null) {
                connection.setRequestProperty("Last-Event-ID", resumeAfter);
            }
            if (connection.getResponseCode() != 200) {
                LOG.log(System.Logger.Level.WARNING, "GET /events answered {0}: does the client hold events:read?",
                        connection.getResponseCode());
                throw new IOException("GET /events answered " + connection.getResponseCode());
            }
            listener.connected();
            afterCarriageReturn = false;
            try (InputStream in = new BufferedInputStream(connection.getInputStream())) {
                parse(in);
            }
        } finally {
            connection.disconnect();
        }
    }

    private void parse(InputStream in) throws IOException {
        String type = "";
        String id = null;
        StringBuilder data = null;
        String line;
        while (!closed && (line = readLine(in)) != null) {
            if (line.isEmpty()) {
                if (data != null) {
                    listener.event(type.isEmpty() ? "message" : type, id, data.toString());
                }
                type = "";
                id = null;
                data = null;
                continue;
            }
            if (line.startsWith(":")) {
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "event" -> type = value;
                case "id" -> id = value.indexOf('\0') < 0 ? value : id;
                case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                default -> { } // retry and unknown fields
            }
        }
    }

    /** One line without its end (CRLF, LF or CR), or null at the end of the stream. */
    private String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n' && afterCarriageReturn) {
                afterCarriageReturn = false;
                continue;
            }
            afterCarriageReturn = b == '\r';
            if (b == '\r' || b == '\n') {
                return line.toString(StandardCharsets.UTF_8);
            }
            line.write(b);
        }
        return null;
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
