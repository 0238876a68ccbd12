package dev.kiln.model.data;

import dev.kiln.api.data.DatasetContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds dataset files for the plugins, in order: {@code --data DIR} (as {@code DIR/<name>} or
 * {@code DIR} itself), {@code $KILN_DATA/<name>}, {@code ~/.kiln/data/<name>},
 * {@code /usr/share/datasets/<name>}. A required file {@code x.gz} is also satisfied by {@code x}
 * and the other way round. When nothing is found the error lists every place searched and the
 * command that installs the data.
 */
public final class DataLocator implements DatasetContext {

    private final Path dataDir;
    private final String kilnData;
    private final Path home;
    private final Path systemRoot;
    private final long seed;

    /** The host's locator: {@code dataDir} is {@code --data} (null when not given). */
    public DataLocator(Path dataDir, long seed) {
        this(dataDir, System.getenv("KILN_DATA"), Path.of(System.getProperty("user.home")), Path.of("/usr/share/datasets"), seed);
    }

    /** For tests: every search root explicit ({@code kilnData} null when unset). */
    public DataLocator(Path dataDir, String kilnData, Path home, Path systemRoot, long seed) {
        this.dataDir = dataDir;
        this.kilnData = kilnData == null || kilnData.isBlank() ? null : kilnData;
        this.home = home;
        this.systemRoot = systemRoot;
        this.seed = seed;
    }

    @Override
    public long seed() {
        return seed;
    }

    /** Where {@code fetch} puts downloads: {@code ~/.kiln/data/<name>}. */
    public Path userDirectory(String datasetName) {
        return home.resolve(".kiln").resolve("data").resolve(datasetName);
    }

    private record Candidate(String origin, Path dir) {
    }

    private List<Candidate> candidates(String name) {
        List<Candidate> out = new ArrayList<>();
        if (dataDir != null) {
            out.add(new Candidate("--data", dataDir.resolve(name)));
            out.add(new Candidate("--data", dataDir));
        }
        if (kilnData != null) {
            out.add(new Candidate("$KILN_DATA", Path.of(kilnData).resolve(name)));
        }
        out.add(new Candidate("~/.kiln/data", userDirectory(name)));
        out.add(new Candidate("system", systemRoot.resolve(name)));
        return out;
    }

    /** The first searched directory holding every required file, if any. */
    public Optional<Path> find(String datasetName, String... requiredFiles) {
        for (Candidate c : candidates(datasetName)) {
            if (Files.isDirectory(c.dir) && missing(c.dir, requiredFiles).isEmpty()) {
                return Optional.of(c.dir);
            }
        }
        return Optional.empty();
    }

    @Override
    public Path locate(String datasetName, String... requiredFiles) {
        return find(datasetName, requiredFiles).orElseThrow(() -> new IllegalStateException(notFound(datasetName, requiredFiles)));
    }

    /** Required files absent from {@code dir} (either the gzip or the raw name counts). */
    static List<String> missing(Path dir, String... requiredFiles) {
        List<String> out = new ArrayList<>();
        for (String f : requiredFiles) {
            String twin = f.endsWith(".gz") ? f.substring(0, f.length() - 3) : f + ".gz";
            if (!Files.isRegularFile(dir.resolve(f)) && !Files.isRegularFile(dir.resolve(twin))) {
                out.add(f);
            }
        }
        return out;
    }

    private String notFound(String name, String... requiredFiles) {
        StringBuilder m = new StringBuilder("dataset \"").append(name).append("\" not found; looked for ")
                .append(String.join(", ", requiredFiles)).append(" in:");
        for (Candidate c : candidates(name)) {
            m.append("\n  ").append(c.origin).append(": ").append(c.dir);
            if (Files.isDirectory(c.dir)) {
                m.append(" (exists, missing ").append(missing(c.dir, requiredFiles)).append(')');
            }
        }
        if (kilnData == null) {
            m.append("\n  $KILN_DATA: unset");
        }
        m.append('\n').append(howToInstall(name));
        return m.toString();
    }

    /** What to run to get the dataset onto this machine. */
    public String howToInstall(String name) {
        Optional<KnownDatasets.Source> source = KnownDatasets.source(name);
        StringBuilder m = new StringBuilder();
        if (source.isPresent() && source.get().aptPackage() != null) {
            m.append("Install it with:  sudo apt-get install -y ").append(source.get().aptPackage())
                    .append("\n(or `kiln data fetch ").append(name).append("`, which uses apt when it can and otherwise downloads"
                            + " the canonical files into ").append(userDirectory(name)).append(", verified by SHA-256)");
        } else if (source.isPresent() && source.get().manual() != null) {
            m.append("To install it, ").append(source.get().manual()).append(' ').append(userDirectory(name))
                    .append(" (or a directory given with --data DIR or $KILN_DATA)");
        } else {
            m.append("Put its files in ").append(userDirectory(name)).append(", or in DIR/").append(name)
                    .append(" and pass --data DIR (or set KILN_DATA=DIR)");
        }
        return m.toString();
    }

    /** Creates {@code ~/.kiln/data/<name>} (for fetching). */
    Path createUserDirectory(String name) throws IOException {
        return Files.createDirectories(userDirectory(name));
    }
}
