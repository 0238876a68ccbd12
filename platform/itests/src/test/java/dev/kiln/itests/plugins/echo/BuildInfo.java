package dev.kiln.itests.plugins.echo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Reads {@code kiln-test-version.txt}, which each test build of the bundle carries. */
final class BuildInfo {

    private BuildInfo() {
    }

    static String version() {
        try (InputStream in = BuildInfo.class.getResourceAsStream("/kiln-test-version.txt")) {
            return in == null ? "unknown" : new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "unreadable";
        }
    }
}
