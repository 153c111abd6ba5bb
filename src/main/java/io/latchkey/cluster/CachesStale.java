package io.latchkey.cluster;

/**
 * Fired when the change log no longer reaches back to what this instance applied last (and so at start-up), and
 * periodically as a safety net: every in-memory cache drops or re-reads what it holds.
 */
public record CachesStale() {
}
