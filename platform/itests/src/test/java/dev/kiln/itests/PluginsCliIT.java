package dev.kiln.itests;

import dev.kiln.cli.KilnCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code kiln plugins install | list --json | remove} on real bundles. */
class PluginsCliIT {

    @Test
    void installListRemove(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("plugins");
        Path jar = TestBundles.build(tmp.resolve("echo-1.2.0.jar"), "dev.kiln.test.echo", "1.2.0", TestBundles.ECHO);

        String installed = kiln("plugins", "install", "--plugins", dir.toString(), jar.toString());
        assertTrue(installed.startsWith("installed " + dir.resolve("echo-1.2.0.jar") + ": optimizer echo@1.2.0"), installed);

        String json = kiln("plugins", "list", "--json", "--plugins", dir.toString());
        assertEquals("[{\"kind\":\"optimizer\",\"name\":\"echo\",\"version\":\"1.2.0\",\"bundle\":\"dev.kiln.test.echo\",\"state\":\"active\",\"leases\":0}]",
                json.strip());

        Path dup = TestBundles.build(tmp.resolve("copy.jar"), "dev.kiln.test.echo", "1.2.0", TestBundles.ECHO);
        assertEquals(1, KilnCommand.execute("plugins", "install", "--plugins", dir.toString(), dup.toString()), "a duplicate is refused");
        assertFalse(Files.exists(dir.resolve("copy.jar")));

        String removed = kiln("plugins", "remove", "--plugins", dir.toString(), "echo@1.2.0");
        assertTrue(removed.startsWith("removed " + dir.resolve("echo-1.2.0.jar")), removed);
        assertEquals("[]", kiln("plugins", "list", "--json", "--plugins", dir.toString()).strip());
    }

    private static String kiln(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = KilnCommand.execute(args);
        } finally {
            System.setOut(saved);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, String.join(" ", args) + " -> " + out);
        return out;
    }
}
