package dev.kiln.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KilnCommandTest {

    private record Outcome(int code, String err) {
    }

    private static Outcome run(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cl = KilnCommand.commandLine();
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        return new Outcome(cl.execute(args), err.toString());
    }

    @Test
    void unknownBackendIsAOneLineUsageError() {
        Outcome o = run("bench", "ops", "--backend", "no-such-backend", "--cases", "gemm-256");
        assertEquals(KilnCommand.EXIT_USAGE, o.code());
        assertEquals(1, o.err().lines().count(), o.err());
        assertTrue(o.err().startsWith("kiln: unknown backend 'no-such-backend'"), o.err());
    }

    @Test
    void badOptionValueExitsWithUsageCode() {
        assertEquals(KilnCommand.EXIT_USAGE, run("bench", "ops", "--threads", "0").code());
        assertEquals(KilnCommand.EXIT_USAGE, run("bench", "ops", "--cases", "(").code());
        assertEquals(KilnCommand.EXIT_USAGE, run("no-such-command").code());
    }

    @Test
    void benchWithoutSubcommandAsksForOne() {
        Outcome o = run("bench");
        assertEquals(KilnCommand.EXIT_USAGE, o.code());
        assertTrue(o.err().contains("Missing required subcommand"), o.err());
    }
}
