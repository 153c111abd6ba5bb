package io.latchkey.web;

/** The one error body of the contract: {@code {"error", "error_description"}}. */
public record ErrorBody(String error, String errorDescription) {
}
