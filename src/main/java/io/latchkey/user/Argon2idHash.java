package io.latchkey.user;

import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator.BlockPool;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * A stored argon2id hash in the PHC string format, {@code $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>}
 * (salt and hash in unpadded Base64): what Spring's Argon2PasswordEncoder wrote in version 1, so those hashes keep
 * verifying. The parameters travel with each hash, so raising them later needs no migration.
 */
record Argon2idHash(int memoryKib, int iterations, int parallelism, byte[] salt, byte[] hash) {

    private static final Pattern PHC = Pattern.compile(
            "\\$argon2id\\$v=19\\$m=(\\d{1,9}),t=(\\d{1,9}),p=(\\d{1,3})\\$([A-Za-z0-9+/]{11,})\\$([A-Za-z0-9+/]{6,})");

    /** Reads a stored hash; throws IllegalArgumentException for anything but a well-formed argon2id v1.3 one. */
    static Argon2idHash parse(String encoded) {
        Matcher m = PHC.matcher(encoded);
        if (!m.matches()) {
            throw new IllegalArgumentException("not an argon2id v1.3 PHC string");
        }
        Base64.Decoder base64 = Base64.getDecoder();
        return new Argon2idHash(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                base64.decode(m.group(4)), base64.decode(m.group(5)));
    }

    /** The generator's parameters for this hash's salt and costs, its working memory taken from {@code blocks}. */
    Argon2Parameters parameters(BlockPool blocks) {
        return new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(memoryKib)
                .withIterations(iterations)
                .withParallelism(parallelism)
                .withSalt(salt)
                .withBlockPool(blocks)
                .build();
    }

    String encoded() {
        Base64.Encoder base64 = Base64.getEncoder().withoutPadding();
        return "$argon2id$v=19$m=" + memoryKib + ",t=" + iterations + ",p=" + parallelism
                + "$" + base64.encodeToString(salt) + "$" + base64.encodeToString(hash);
    }

    @Override
    public String toString() {
        return "Argon2idHash[m=" + memoryKib + ",t=" + iterations + ",p=" + parallelism + "]"; // never the hash itself
    }
}
