import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What one signature costs: HS256 (HMAC-SHA256, 256-bit secret) against EdDSA (Ed25519), sign and verify, on a
 * JWS signing input of the size Latchkey issues (header + claims, about 330 bytes), with the JDK's providers as
 * the service uses them (smallrye-jwt and jose4j call these). Encoding and JSON cost the same for both and are
 * left out. The JDK only, so it runs as a single-file program:
 *   java bench/SignatureCost.java [seconds per slice, 2] [slices, 5] [Ed25519 provider, SunEC]
 * Prints one line per operation: the median time of one operation over the slices, and operations per second.
 * To compare Bouncy Castle's Ed25519 (a dependency of the service already, for argon2):
 *   java -cp ~/.m2/repository/org/bouncycastle/bcprov-jdk18on/1.87/bcprov-jdk18on-1.87.jar \
 *       bench/SignatureCost.java 2 5 BC
 */
public class SignatureCost {

    interface Op {
        boolean run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2;
        int slices = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        byte[] input = signingInput();
        String provider = args.length > 2 ? args[2] : "SunEC";
        if ("BC".equals(provider)) {
            java.security.Security.addProvider((java.security.Provider) Class
                    .forName("org.bouncycastle.jce.provider.BouncyCastleProvider").getDeclaredConstructor().newInstance());
        }

        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        SecretKeySpec hmacKey = new SecretKeySpec(secret, "HmacSHA256");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(hmacKey);
        byte[] tag = mac.doFinal(input);

        KeyPair pair = KeyPairGenerator.getInstance("Ed25519", provider).generateKeyPair();
        Signature signer = Signature.getInstance("Ed25519", provider);
        signer.initSign(pair.getPrivate());
        Signature verifier = Signature.getInstance("Ed25519", provider);
        verifier.initVerify(pair.getPublic());
        signer.update(input);
        byte[] signature = signer.sign();

        report("HS256 sign", seconds, slices, () -> mac.doFinal(input).length == 32);
        // a verifier recomputes the tag and compares it in constant time
        report("HS256 verify", seconds, slices, () -> java.security.MessageDigest.isEqual(mac.doFinal(input), tag));
        report("EdDSA sign", seconds, slices, () -> {
            signer.update(input);
            return signer.sign().length == 64;
        });
        report("EdDSA verify", seconds, slices, () -> {
            verifier.update(input);
            return verifier.verify(signature);
        });
        System.out.printf(Locale.ROOT, "signing input %d bytes; HS256 signature 32 bytes (43 in the token), "
                + "EdDSA 64 bytes (86 in the token); Ed25519 by %s; %s %s%n", input.length, provider,
                System.getProperty("java.vm.name"), System.getProperty("java.version"));
    }

    private static void report(String name, double seconds, int slices, Op op) throws Exception {
        run(op, seconds); // warm-up: let the JIT compile it
        double[] nanosPerOp = new double[slices];
        for (int i = 0; i < slices; i++) {
            nanosPerOp[i] = run(op, seconds);
        }
        Arrays.sort(nanosPerOp);
        double median = nanosPerOp[slices / 2];
        System.out.printf(Locale.ROOT, "%-13s %9.2f us/op %10.0f ops/s   (slices: %s)%n", name, median / 1000,
                1e9 / median, Arrays.toString(Arrays.stream(nanosPerOp).map(n -> Math.round(n / 10) / 100.0)
                        .toArray()));
    }

    /** Nanoseconds per operation over about {@code seconds}. */
    private static double run(Op op, double seconds) throws Exception {
        long budget = (long) (seconds * 1e9);
        long start = System.nanoTime();
        long count = 0;
        while (System.nanoTime() - start < budget) {
            for (int i = 0; i < 100; i++) {
                if (!op.run()) {
                    throw new IllegalStateException("an operation failed");
                }
            }
            count += 100;
        }
        return (double) (System.nanoTime() - start) / count;
    }

    private static byte[] signingInput() {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = "{\"kid\":\"3f0c8a52-6f1e-4b7e-9a43-0d2b9c1e5f77\",\"typ\":\"JWT\",\"alg\":\"EdDSA\"}";
        String claims = "{\"iss\":\"http://localhost:8080\",\"sub\":\"6a1d3c9e-2b4f-4e8a-b1c7-5d9e0f2a3b4c\","
                + "\"aud\":\"latchkey\",\"iat\":1764748800,\"exp\":1764752400,\"nbf\":1764748800,"
                + "\"jti\":\"9b8e7d6c-5a4f-4e3d-8c2b-1a0f9e8d7c6b\",\"preferred_username\":\"alice\","
                + "\"roles\":[\"reader\"]}";
        return (b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8))).getBytes(StandardCharsets.US_ASCII);
    }
}
