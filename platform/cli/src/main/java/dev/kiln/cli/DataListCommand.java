package dev.kiln.cli;

import dev.kiln.model.data.DataLocator;
import dev.kiln.model.data.KnownDatasets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code kiln data list}: where each known dataset was found on this machine, or how to get it. */
@Command(name = "list",
        mixinStandardHelpOptions = true,
        description = "Show where each known dataset is on this machine (searching --data DIR, $KILN_DATA, ~/.kiln/data,"
                + " /usr/share/datasets), or how to install it.")
final class DataListCommand implements Callable<Integer> {

    @Spec
    CommandSpec command;

    @Option(names = "--data", paramLabel = "DIR", description = "Look here first, as kiln run --data does.")
    Path data;

    @Override
    public Integer call() {
        DataLocator locator = new DataLocator(data, 0);
        for (String name : KnownDatasets.names()) {
            KnownDatasets.Source source = KnownDatasets.source(name).orElseThrow();
            Optional<Path> found = locator.find(name, source.requiredFiles());
            if (found.isPresent()) {
                command.commandLine().getOut().printf("%-14s %s%n", name, found.get());
            } else {
                command.commandLine().getOut().printf("%-14s not found%n%s%n", name, locator.howToInstall(name).indent(15).stripTrailing());
            }
        }
        command.commandLine().getOut().flush();
        return 0;
    }
}
