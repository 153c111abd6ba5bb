package io.latchkey.cluster;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Not ready while the lease on memory has lapsed: a load balancer should send token checks elsewhere. */
@Readiness
@ApplicationScoped
public class FeedReadiness implements HealthCheck {

    @Inject
    ChangeFeed feed;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("Change feed")
                .status(feed.memoryTrusted())
                .withData("last_applied", feed.lastApplied())
                .build();
    }
}
