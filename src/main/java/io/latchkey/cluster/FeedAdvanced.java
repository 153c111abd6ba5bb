package io.latchkey.cluster;

import java.util.List;

/**
 * The change feed applied {@code changes} (in sequence order, none skipped since the previous one) or, with
 * {@code reset}, had to start over because the log no longer reached back: whoever relays changes must then tell
 * its listeners to drop everything. Fired on the feed's thread only, never for this instance's own commits.
 */
public record FeedAdvanced(List<Change> changes, boolean reset) {
}
