package io.latchkey.kits;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The verifier kits under {@code verifiers/}, each run as its CLI. What a kit needs is prepared once per run: the
 * Java kit is compiled from its sources against the jose4j Latchkey itself uses (no second Maven build), the Node
 * kit's dependencies installed from its lock file. A missing Node.js or Python skips locally and fails in CI.
 */
enum VerifierKit {

    JAVA {
        @Override
        List<String> prepare() throws Exception {
            if (javaClasses == null) {
                javaClasses = compileJavaKit();
            }
            return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", javaClasses + java.io.File.pathSeparator + javaKitClasspath(),
                    "io.latchkey.verifier.VerifierCli");
        }
    },

    NODE {
        @Override
        List<String> prepare() throws Exception {
            require(run(Path.of("."), "node", "--version"), "Node.js is not installed");
            Path kit = Path.of("verifiers/node");
            if (!Files.isDirectory(kit.resolve("node_modules/jose"))) {
                Assertions.assertTrue(run(kit, "npm", "ci", "--no-audit", "--no-fund"), "npm ci in verifiers/node failed");
            }
            return List.of("node", kit.resolve("cli.js").toString());
        }
    },

    PYTHON {
        @Override
        List<String> prepare() {
            // Debian's python3 has python3-jwt and python3-cryptography; another python3 on the PATH may not
            for (String python : List.of("/usr/bin/python3", "python3")) {
                if (run(Path.of("."), python, "-c", "import jwt, cryptography")) {
                    return List.of(python, "verifiers/python/cli.py");
                }
            }
            require(false, "no python3 with PyJWT and cryptography (apt-get install python3-jwt python3-cryptography)");
            return List.of();
        }
    };

    private static Path javaClasses;

    /** The command that starts the kit's CLI, after preparing what it needs. */
    abstract List<String> prepare() throws Exception;

    static Path jarOf(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static String javaKitClasspath() throws URISyntaxException {
        return jarOf(org.jose4j.jwk.JsonWebKey.class) + java.io.File.pathSeparator + jarOf(org.slf4j.Logger.class);
    }

    private static Path compileJavaKit() throws Exception {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        Path classes = Files.createTempDirectory("latchkey-java-kit");
        List<String> arguments;
        try (Stream<Path> files = Files.walk(Path.of("verifiers/java/src/main/java"))) {
            arguments = Stream.concat(
                    Stream.of("--release", "17", "-d", classes.toString(), "-cp", javaKitClasspath()),
                    files.filter(file -> file.toString().endsWith(".java")).map(Path::toString)).toList();
        }
        Assertions.assertEquals(0, compiler.run(null, null, null, arguments.toArray(String[]::new)),
                "the Java kit compiles");
        return classes;
    }

    private static void require(boolean present, String missing) {
        if (System.getenv("CI") != null) {
            Assertions.assertTrue(present, missing + " (CI must run every kit)");
        }
        Assumptions.assumeTrue(present, missing + "; skipping this kit");
    }

    /** True when the command ran and exited 0 within two minutes. */
    private static boolean run(Path dir, String... command) {
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                return false;
            }
            return process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
