package dev.kiln.model.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataLocatorTest {

    @TempDir
    Path tmp;

    private Path dir(String first, String... more) throws IOException {
        Path d = Files.createDirectories(tmp.resolve(Path.of(first, more)));
        Files.writeString(d.resolve("a.bin.gz"), "x");
        return d;
    }

    @Test
    void searchesDataDirThenKilnDataThenHomeThenSystem() throws IOException {
        Path system = dir("system", "toy");
        Path home = dir("home", ".kiln", "data", "toy");
        Path env = dir("env", "toy");
        Path data = dir("data", "toy");
        Path homeRoot = tmp.resolve("home");
        assertEquals(data, new DataLocator(tmp.resolve("data"), env.getParent().toString(), homeRoot, system.getParent(), 1).locate("toy", "a.bin.gz"));
        assertEquals(env, new DataLocator(null, env.getParent().toString(), homeRoot, system.getParent(), 1).locate("toy", "a.bin.gz"));
        assertEquals(home, new DataLocator(null, null, homeRoot, system.getParent(), 1).locate("toy", "a.bin.gz"));
        assertEquals(system, new DataLocator(null, null, tmp.resolve("nohome"), system.getParent(), 1).locate("toy", "a.bin.gz"));
    }

    @Test
    void dataDirMayHoldTheFilesDirectly() throws IOException {
        Path flat = dir("flat");
        assertEquals(flat, new DataLocator(flat, null, tmp.resolve("h"), tmp.resolve("s"), 1).locate("toy", "a.bin.gz"));
    }

    @Test
    void rawFileSatisfiesAGzipNameAndTheOtherWayRound() throws IOException {
        Path d = Files.createDirectories(tmp.resolve("d/toy"));
        Files.writeString(d.resolve("a.bin"), "x");
        Files.writeString(d.resolve("b.bin.gz"), "x");
        assertEquals(d, new DataLocator(tmp.resolve("d"), null, tmp, tmp, 1).locate("toy", "a.bin.gz", "b.bin"));
    }

    @Test
    void directoryMissingAFileIsSkipped() throws IOException {
        Path partial = dir("data", "toy");
        Path system = Files.createDirectories(tmp.resolve("sys/toy"));
        Files.writeString(system.resolve("a.bin.gz"), "x");
        Files.writeString(system.resolve("b.bin"), "x");
        assertEquals(system, new DataLocator(partial.getParent(), null, tmp, tmp.resolve("sys"), 1).locate("toy", "a.bin.gz", "b.bin"));
    }

    @Test
    void absentFashionMnistSaysWhereItLookedAndWhatToRun() {
        DataLocator locator = new DataLocator(tmp.resolve("data"), null, tmp.resolve("home"), tmp.resolve("system"), 1);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> locator.locate("fashion-mnist", "train-images-idx3-ubyte.gz"));
        String m = e.getMessage();
        assertTrue(m.startsWith("dataset \"fashion-mnist\" not found; looked for train-images-idx3-ubyte.gz in:"), m);
        assertTrue(m.contains("--data: " + tmp.resolve("data/fashion-mnist")), m);
        assertTrue(m.contains("$KILN_DATA: unset"), m);
        assertTrue(m.contains("~/.kiln/data: " + tmp.resolve("home/.kiln/data/fashion-mnist")), m);
        assertTrue(m.contains("system: " + tmp.resolve("system/fashion-mnist")), m);
        assertTrue(m.contains("sudo apt-get install -y dataset-fashion-mnist"), m);
        assertTrue(m.contains("kiln data fetch fashion-mnist"), m);
    }

    @Test
    void absentCifarSaysWhatToDownload() {
        DataLocator locator = new DataLocator(null, null, tmp, tmp, 1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> locator.locate("cifar10", "test_batch.bin"));
        assertTrue(e.getMessage().contains("cifar-10-binary.tar.gz"), e.getMessage());
    }

    @Test
    void findsTheInstalledFashionMnist() {
        Path system = Path.of("/usr/share/datasets");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(system.resolve("fashion-mnist")));
        assertEquals(system.resolve("fashion-mnist"), new DataLocator(null, null, tmp, system, 1)
                .locate("fashion-mnist", "train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"));
    }
}
