package dev.kiln.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * The {@code kiln} command. Each front end is its own subcommand class registered here
 * ({@code bench} now; {@code run}, {@code plugins}, {@code serve}, {@code worker}, ... as they land).
 *
 * <p>Exit codes: 0 success, 1 failure while running, 2 bad usage or an impossible request (e.g. a
 * backend that cannot run here). Errors print {@code kiln: <message>} (one line, or more where the fix needs
 * them); set
 * {@code KILN_DEBUG=1} for the stack trace.
 */
@Command(name = "kiln",
        mixinStandardHelpOptions = true,
        versionProvider = KilnCommand.Version.class,
        description = "Kiln: deep-learning experiments on the JVM.",
        subcommands = {RunCommand.class, EvalCommand.class, RunsCommand.class, BenchCommand.class, PluginsCommand.class,
                ServeCommand.class, WorkerCommand.class, SubmitCommand.class, WatchCommand.class, CancelCommand.class,
                FetchCommand.class, UsersCommand.class, DataCommand.class, CommandLine.HelpCommand.class})
public final class KilnCommand {

    /** Exit code for a failure while running. */
    public static final int EXIT_FAILURE = 1;
    /** Exit code for bad usage or a request that cannot be met here. */
    public static final int EXIT_USAGE = 2;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (for tests and embedding). */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new KilnCommand());
        cl.setExecutionExceptionHandler(KilnCommand::onError);
        cl.setParameterExceptionHandler(KilnCommand::onBadUsage);
        return cl;
    }

    private static int onError(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        boolean usage = e instanceof IllegalArgumentException;
        String message = e.getMessage() != null ? e.getMessage() : e.getClass().getName();
        // the whole message: a dataset that is not found explains, on its next lines, where kiln looked and what to run
        err.println("kiln: " + (usage ? "" : "error: ") + message.strip());
        if (System.getenv("KILN_DEBUG") != null) {
            e.printStackTrace(err);
        }
        err.flush();
        return usage ? EXIT_USAGE : EXIT_FAILURE;
    }

    private static int onBadUsage(CommandLine.ParameterException e, String[] args) {
        PrintWriter err = e.getCommandLine().getErr();
        err.println("kiln: " + e.getMessage());
        err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
        err.flush();
        return EXIT_USAGE;
    }

    /** The version from the jar manifest (unknown when run from classes). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = KilnCommand.class.getPackage().getImplementationVersion();
            return new String[] {"kiln " + (v != null ? v : "(development build)"),
                    "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
