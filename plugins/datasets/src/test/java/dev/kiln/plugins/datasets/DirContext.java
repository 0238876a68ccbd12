package dev.kiln.plugins.datasets;

import dev.kiln.api.data.DatasetContext;

import java.nio.file.Files;
import java.nio.file.Path;

/** A context that finds every dataset under {@code root/<name>} (or {@code root} itself). */
record DirContext(Path root, long seed) implements DatasetContext {

    static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");

    @Override
    public Path locate(String datasetName, String... requiredFiles) {
        Path dir = Files.isDirectory(root.resolve(datasetName)) ? root.resolve(datasetName) : root;
        for (String f : requiredFiles) {
            DataFiles.find(dir, f);
        }
        return dir;
    }
}
