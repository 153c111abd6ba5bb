package io.latchkey.web;

import io.vertx.core.json.JsonObject;

/** The one error body of the contract, {@code {"error", "error_description"}}, and the one place that writes it. */
public record ErrorBody(String error, String errorDescription) {

    public String toJson() {
        return new JsonObject().put("error", error).put("error_description", errorDescription).encode();
    }
}
