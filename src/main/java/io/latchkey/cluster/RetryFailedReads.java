package io.latchkey.cluster;

/**
 * Fired once a minute, beside the pruning of the log: a cache whose last re-read of the tables failed tries again
 * now, rather than at the next safety-net refresh (an hour by default).
 */
public record RetryFailedReads() {
}
