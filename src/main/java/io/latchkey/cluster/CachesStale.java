package io.latchkey.cluster;

/**
 * Fired when changes may have been missed (the feed (re)connected) and periodically as a safety net:
 * every in-memory cache drops or re-reads what it holds.
 */
public record CachesStale() {
}
