package io.latchkey.config;

import java.util.Map;

import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.common.MapBackedConfigSource;

/** {@link LatchkeyConfig} as the application maps it (defaults included), without Quarkus, for plain tests. */
public final class TestConfig {

    private TestConfig() {
    }

    public static LatchkeyConfig defaults() {
        return with(Map.of());
    }

    /** The defaults with {@code settings} ({@code latchkey.*} property names) on top. */
    public static LatchkeyConfig with(Map<String, String> settings) {
        return new SmallRyeConfigBuilder()
                .withMapping(LatchkeyConfig.class)
                .withSources(new MapBackedConfigSource("test", settings) {
                })
                .build()
                .getConfigMapping(LatchkeyConfig.class);
    }
}
