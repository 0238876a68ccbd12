package dev.kiln.cli;

import dev.kiln.server.Database;
import dev.kiln.server.KilnServer;
import dev.kiln.server.Role;
import dev.kiln.server.Store;
import dev.kiln.server.Tokens;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code kiln users add NAME [--admin|--worker]}: on the server's machine, against its database; prints the token once. */
@Command(name = "users", mixinStandardHelpOptions = true, description = "Manages server users (run it where the server's database is).",
        subcommands = UsersCommand.Add.class)
final class UsersCommand {

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Adds a user and prints its token once (only its SHA-256 is stored).")
    static final class Add implements Callable<Integer> {

        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = "--admin", description = "May see and cancel every run and manage plugins.")
        boolean admin;

        @Option(names = "--worker", description = "A worker's identity: connects and leases runs.")
        boolean worker;

        @Option(names = "--db", paramLabel = "URL", description = "The server's database (default $KILN_HOME/kiln.db).")
        String db;

        @Option(names = "--home", paramLabel = "DIR")
        Path home;

        @Override
        public Integer call() {
            if (!name.matches("[a-z][a-z0-9_-]{0,63}")) {
                throw new IllegalArgumentException("user names are 1-64 lower-case letters, digits, '_' or '-', got '" + name + "'");
            }
            if (admin && worker) {
                throw new IllegalArgumentException("--admin and --worker exclude each other");
            }
            String token = Tokens.generate();
            try (Store s = Store.open(Database.parse(db, home != null ? home : KilnServer.defaultHome()))) {
                s.addUser(name, admin ? Role.ADMIN : worker ? Role.WORKER : Role.USER, Tokens.sha256(token));
            }
            spec.commandLine().getOut().println(token);
            spec.commandLine().getErr().println("kiln: added " + (admin ? "admin " : worker ? "worker " : "user ") + name
                    + "; the token above is shown once (export KILN_TOKEN=...)");
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
