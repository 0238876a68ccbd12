package dev.kiln.model.data;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the host knows about obtaining each dataset: a Debian package, a canonical download with
 * SHA-256 sums, or the manual steps.
 */
public final class KnownDatasets {

    /**
     * One file of a download. {@code sha256} is the sum of the file as published; {@code contentSha256}
     * the sum of its decompressed content, which also matches re-compressed copies (Debian's package
     * strips the file name from the gzip header, so its .gz files differ from the canonical ones).
     */
    public record DataFile(String name, String sha256, String contentSha256) {
    }

    /**
     * How to obtain a dataset; {@code aptPackage}, {@code baseUrl} and {@code manual} may be null. A source
     * without a download lists its files with null sums (their names are what the locator looks for).
     */
    public record Source(String name, String aptPackage, String baseUrl, List<DataFile> files, String manual) {

        /** The file names a directory must hold to count as this dataset. */
        public String[] requiredFiles() {
            return files.stream().map(DataFile::name).toArray(String[]::new);
        }
    }

    /** Files a manual source needs (no published sums: kiln does not download these). */
    private static List<DataFile> named(String... names) {
        return java.util.Arrays.stream(names).map(n -> new DataFile(n, null, null)).toList();
    }

    private static final Map<String, Source> SOURCES = Map.of(
            "fashion-mnist", new Source("fashion-mnist", "dataset-fashion-mnist",
                    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
                    List.of(
                            // content sums computed here from Debian's dataset-fashion-mnist 0.0~git20200523.55506a9-1
                            new DataFile("train-images-idx3-ubyte.gz",
                                    "08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc",
                                    "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
                            new DataFile("train-labels-idx1-ubyte.gz",
                                    "b0197879cbda89f3dc7b894f9fd52b858e68ea4182b6947c9d8c2b67e5f18dcc",
                                    "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
                            new DataFile("t10k-images-idx3-ubyte.gz",
                                    "78dcbbfb5a27efaf1b6c1d616caca68560be8766c5bffcb2791df9273a534229",
                                    "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
                            new DataFile("t10k-labels-idx1-ubyte.gz",
                                    "42bd18137a62d5998cdeae52bf3a0676ac6b706f5cf8439b47bb5b151ae3dccf",
                                    "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34")),
                    null),
            "mnist", new Source("mnist", null, null,
                    named("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
                    "download train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and"
                            + " t10k-labels-idx1-ubyte.gz (e.g. from https://ossci-datasets.s3.amazonaws.com/mnist/) into"),
            "cifar10", new Source("cifar10", null, null,
                    named("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"),
                    "download https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz and extract the files of"
                            + " cifar-10-batches-bin/ into"),
            "cifar100", new Source("cifar100", null, null, named("train.bin", "test.bin"),
                    "download https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz and extract the files of"
                            + " cifar-100-binary/ into"),
            "svhn", new Source("svhn", null, null, named("train_32x32.mat", "test_32x32.mat"),
                    "download train_32x32.mat and test_32x32.mat from http://ufldl.stanford.edu/housenumbers/ into"));

    private KnownDatasets() {
    }

    /** Every dataset kiln knows how to obtain, sorted. */
    public static List<String> names() {
        return SOURCES.keySet().stream().sorted().toList();
    }

    public static Optional<Source> source(String name) {
        return Optional.ofNullable(SOURCES.get(name));
    }
}
