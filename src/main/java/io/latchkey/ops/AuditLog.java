package io.latchkey.ops;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One JSON line per security event on the {@code latchkey.audit} log category: when, what, outcome, who
 * acted, on whom, from which address. Never a password, token or secret: callers pass ids and names only.
 */
@ApplicationScoped
public class AuditLog {

    private static final Logger AUDIT = Logger.getLogger("latchkey.audit");
    /** Longer than any valid username (64 bytes), kid or client id. */
    static final int MAX_FIELD_CHARS = 128;

    @Inject
    ObjectMapper json;
    @Inject
    Clock clock;

    /**
     * @param event   what happened, e.g. {@code login}, {@code user.delete}
     * @param outcome {@code success} or a failure reason
     * @param actor   who acted (username or client id), or null
     * @param subject whom or what it concerned (user id, client id, kid), or null
     * @param address the caller's network address
     */
    public void record(String event, String outcome, String actor, String subject, String address) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("ts", clock.instant().toString());
        line.put("event", event);
        line.put("outcome", outcome);
        line.put("actor", bounded(actor));
        line.put("subject", bounded(subject));
        line.put("address", bounded(address));
        try {
            AUDIT.info(json.writeValueAsString(line));
        } catch (JsonProcessingException e) {
            AUDIT.errorf("audit line for %s could not be written", event);
        }
    }

    /** Names, ids and addresses may come from the caller (a tried username, a client id): a line stays short. */
    private static String bounded(String field) {
        return field == null || field.length() <= MAX_FIELD_CHARS ? field : field.substring(0, MAX_FIELD_CHARS) + "...";
    }
}
