package dev.kiln.cli;

import picocli.CommandLine.Command;

/** {@code kiln data}: groups the dataset commands; each is a subcommand. */
@Command(name = "data",
        mixinStandardHelpOptions = true,
        description = "Find and fetch datasets (Fashion-MNIST, MNIST, CIFAR-10/100, SVHN).",
        subcommands = {DataListCommand.class, DataFetchCommand.class})
final class DataCommand {
}
