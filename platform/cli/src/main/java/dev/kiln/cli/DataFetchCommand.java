package dev.kiln.cli;

import dev.kiln.model.data.DataFetcher;
import dev.kiln.model.data.DataLocator;
import dev.kiln.model.data.KnownDatasets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code kiln data fetch NAME}: puts a dataset on this machine unless it is already there — with apt when
 * apt can run here, else the canonical download into {@code ~/.kiln/data/NAME}, every file verified by
 * SHA-256 — and prints where it is.
 */
@Command(name = "fetch",
        mixinStandardHelpOptions = true,
        description = {"Install a dataset unless it is already here: apt-get install of its Debian package when apt can run",
                "(as root or with password-less sudo), else the canonical download into ~/.kiln/data/NAME verified by SHA-256.",
                "Prints the directory that holds it."})
final class DataFetchCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "NAME", description = "Dataset name, e.g. fashion-mnist (see kiln data list).")
    String name;

    @Spec
    CommandSpec command;

    @Option(names = "--data", paramLabel = "DIR", description = "Look here first, as kiln run --data does.")
    Path data;

    @Override
    public Integer call() throws Exception {
        DataLocator locator = new DataLocator(data, 0);
        KnownDatasets.Source source = KnownDatasets.source(name).orElseThrow(() -> new IllegalArgumentException(
                "unknown dataset \"" + name + "\"; known: " + String.join(", ", KnownDatasets.names())));
        Optional<Path> present = locator.find(name, source.requiredFiles());
        if (present.isPresent()) {
            command.commandLine().getOut().println(name + " is already here: " + present.get());
            return 0;
        }
        if (source.aptPackage() == null && source.baseUrl() == null) {
            throw new IllegalStateException(name + " is not here and kiln cannot download it by itself.\n" + locator.howToInstall(name));
        }
        command.commandLine().getErr().println("kiln: fetching " + name + " ...");
        Path where = new DataFetcher(locator).fetch(name);
        command.commandLine().getOut().println(name + " is now here: " + where);
        command.commandLine().getOut().flush();
        return 0;
    }
}
