package dev.kiln.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PluginsCommandTest {

    private record Outcome(int code, String out, String err) {
    }

    private static Outcome run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = KilnCommand.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return new Outcome(cl.execute(args), out.toString(), err.toString());
    }

    @Test
    void listOfAnEmptyFolderIsAnEmptyJsonArray(@TempDir Path dir) {
        Outcome o = run("plugins", "list", "--json", "--plugins", dir.toString());
        assertEquals(0, o.code(), o.err());
        assertEquals("[]", o.out().strip());
    }

    @Test
    void listPrintsAHeaderAndReportsRejectedJarsOnStderr(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("broken.jar"), "nope");
        Outcome o = run("plugins", "list", "--plugins", dir.toString());
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().startsWith("KIND"), o.out());
        assertTrue(o.err().contains("broken.jar") && o.err().contains("Fix:"), o.err());
    }

    @Test
    void installRefusesAJarThatIsNotABundleAndLeavesTheFolderAlone(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("plugins");
        Path jar = Files.writeString(tmp.resolve("mine.jar"), "nope");
        Outcome o = run("plugins", "install", "--plugins", dir.toString(), jar.toString());
        assertEquals(KilnCommand.EXIT_FAILURE, o.code());
        assertTrue(o.err().startsWith("kiln: error: plugin jar " + dir.resolve("mine.jar")) && o.err().contains("NOT_A_BUNDLE"), o.err());
        assertFalse(Files.exists(dir.resolve("mine.jar")));
    }

    @Test
    void removingAnUnknownPluginIsAUsageErrorListingWhatIsInstalled(@TempDir Path dir) {
        Outcome o = run("plugins", "remove", "--plugins", dir.toString(), "adam@1.0.0");
        assertEquals(KilnCommand.EXIT_USAGE, o.code());
        assertTrue(o.err().contains("no plugin adam@1.0.0"), o.err());
    }
}
