package dev.kiln.cli;

import picocli.CommandLine.Command;

/** {@code kiln bench}: groups the benchmarks; each is a subcommand. */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks that print one JSON object per line.",
        subcommands = {BenchOpsCommand.class})
final class BenchCommand {
}
