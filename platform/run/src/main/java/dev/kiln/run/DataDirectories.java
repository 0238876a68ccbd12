package dev.kiln.run;

import dev.kiln.api.data.DatasetContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where datasets live, searched in order: {@code --data DIR}, {@code $KILN_DATA}, {@code ~/.kiln/data},
 * {@code /usr/share/datasets}; in each, the dataset's own folder ({@code DIR/fashion-mnist}) or the folder itself.
 * (The data helper's locator with download support replaces this when it lands.)
 */
record DataDirectories(List<Path> roots, long seed) implements DatasetContext {

    static DataDirectories standard(Path dataDir, long seed) {
        List<Path> roots = new ArrayList<>();
        if (dataDir != null) {
            roots.add(dataDir);
        }
        String env = System.getenv("KILN_DATA");
        if (env != null && !env.isBlank()) {
            roots.add(Path.of(env));
        }
        roots.add(Path.of(System.getProperty("user.home"), ".kiln", "data"));
        roots.add(Path.of("/usr/share/datasets"));
        return new DataDirectories(List.copyOf(roots), seed);
    }

    @Override
    public Path locate(String datasetName, String... requiredFiles) {
        List<String> searched = new ArrayList<>();
        for (Path root : roots) {
            for (Path dir : List.of(root.resolve(datasetName), root)) {
                searched.add(dir.toString());
                if (hasAll(dir, requiredFiles)) {
                    return dir;
                }
            }
        }
        String hint = datasetName.equals("fashion-mnist") ? "install it with: sudo apt-get install dataset-fashion-mnist, or"
                + " put the four files in ~/.kiln/data/fashion-mnist" : "put them in ~/.kiln/data/" + datasetName + " or pass --data DIR";
        throw new IllegalStateException("dataset " + datasetName + " not found: looked for " + String.join(", ", requiredFiles)
                + " in " + searched + "; " + hint);
    }

    private static boolean hasAll(Path dir, String... files) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        for (String f : files) {
            String raw = f.endsWith(".gz") ? f.substring(0, f.length() - 3) : f;
            if (!Files.isRegularFile(dir.resolve(f)) && !Files.isRegularFile(dir.resolve(raw))) {
                return false;
            }
        }
        return true;
    }
}
