package dev.kiln.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code kiln data list|fetch} and the way a missing dataset is reported by {@code kiln run}. */
class DataCommandTest {

    private static final Path USER_DATA = Path.of(System.getProperty("user.home"), ".kiln", "data");

    @TempDir
    Path tmp;

    private record Outcome(int code, String out, String err) {
    }

    private static Outcome kiln(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = KilnCommand.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Outcome(code, out.toString(), err.toString());
    }

    @Test
    void listShowsWhereEachDatasetIsOrHowToGetIt() throws Exception {
        Path mnist = Files.createDirectories(tmp.resolve("mnist"));
        for (String f : new String[] {"train-images-idx3-ubyte", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte"}) {
            Files.write(mnist.resolve(f), new byte[] {0});
        }
        assumeFalse(Files.isDirectory(USER_DATA.resolve("svhn")), "this machine has SVHN in ~/.kiln/data");
        Outcome o = kiln("data", "list", "--data", tmp.toString());
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().lines().anyMatch(l -> l.startsWith("mnist") && l.endsWith(mnist.toString())), o.out());
        assertTrue(o.out().contains("svhn           not found"), o.out());
        assertTrue(o.out().contains("train_32x32.mat and test_32x32.mat from http://ufldl.stanford.edu/housenumbers/"), o.out());
    }

    @Test
    void fetchOfADatasetAlreadyHereSaysWhereAndDownloadsNothing() {
        Path fashion = RunCommandTest.FASHION;
        assumeTrue(Files.exists(fashion.resolve("train-images-idx3-ubyte.gz")), "Fashion-MNIST is not installed at " + fashion);
        Outcome o = kiln("data", "fetch", "fashion-mnist", "--data", fashion.getParent().toString());
        assertEquals(0, o.code(), o.err());
        assertEquals("fashion-mnist is already here: " + fashion, o.out().strip());
    }

    @Test
    void fetchOfAnUnknownNameIsAUsageErrorListingTheKnownOnes() {
        Outcome o = kiln("data", "fetch", "imagenet");
        assertEquals(KilnCommand.EXIT_USAGE, o.code());
        assertEquals("kiln: unknown dataset \"imagenet\"; known: cifar10, cifar100, fashion-mnist, mnist, svhn", o.err().strip());
    }

    @Test
    void fetchOfADatasetWithoutADownloadSaysWhatToDo() {
        assumeFalse(Files.isDirectory(USER_DATA.resolve("cifar10")), "this machine has CIFAR-10 in ~/.kiln/data");
        Outcome o = kiln("data", "fetch", "cifar10", "--data", tmp.toString());
        assertEquals(KilnCommand.EXIT_FAILURE, o.code());
        assertTrue(o.err().startsWith("kiln: error: cifar10 is not here and kiln cannot download it by itself.\n"), o.err());
        assertTrue(o.err().contains("cifar-10-binary.tar.gz and extract the files of cifar-10-batches-bin/ into " + USER_DATA.resolve("cifar10")), o.err());
    }

    @Test
    void aRunWhoseDatasetIsMissingPrintsEveryPlaceSearchedAndTheFix() throws Exception {
        assumeFalse(Files.isDirectory(USER_DATA.resolve("cifar10")), "this machine has CIFAR-10 in ~/.kiln/data");
        Path spec = Files.writeString(tmp.resolve("x.yaml"), RunCommandTest.SPEC.replace("name: fashion-mnist", "name: cifar10"));
        Outcome o = kiln("run", spec.toString(), "--data", tmp.resolve("data").toString(), "--plugins", tmp.resolve("plugins").toString(),
                "--out", tmp.resolve("runs").toString(), "--backend", "java", "--threads", "1");
        assertEquals(KilnCommand.EXIT_FAILURE, o.code(), o.err());
        assertTrue(o.err().contains("dataset \"cifar10\" not found; looked for data_batch_1.bin"), o.err());
        assertTrue(o.err().contains("\n  --data: " + tmp.resolve("data").resolve("cifar10")), o.err());
        assertTrue(o.err().contains("\n  ~/.kiln/data: " + USER_DATA.resolve("cifar10")), o.err());
        assertTrue(o.err().contains("\nTo install it, download https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"), o.err());
    }
}
