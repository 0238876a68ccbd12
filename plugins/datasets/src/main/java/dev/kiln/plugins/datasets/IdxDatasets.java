package dev.kiln.plugins.datasets;

import dev.kiln.api.data.Dataset;
import dev.kiln.api.data.DatasetContext;
import dev.kiln.api.plugin.Params;

import java.nio.file.Path;
import java.util.List;

/** Loads an MNIST-style dataset (four IDX files, gzip or raw) found by name through the context. */
final class IdxDatasets {

    static final String TRAIN_IMAGES = "train-images-idx3-ubyte.gz";
    static final String TRAIN_LABELS = "train-labels-idx1-ubyte.gz";
    static final String TEST_IMAGES = "t10k-images-idx3-ubyte.gz";
    static final String TEST_LABELS = "t10k-labels-idx1-ubyte.gz";

    static final List<String> FASHION_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
            "Shirt", "Sneaker", "Bag", "Ankle boot");
    static final List<String> DIGITS = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

    private IdxDatasets() {
    }

    static Dataset load(String name, List<String> classes, Params params, DatasetContext context) {
        Path dir = context.locate(name, TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);
        Examples train = examples(dir, TRAIN_IMAGES, TRAIN_LABELS, classes.size());
        Examples test = examples(dir, TEST_IMAGES, TEST_LABELS, classes.size());
        return InMemoryDataset.create(name, new int[] {1, 28, 28}, classes, train, test, params, context.seed());
    }

    static Examples examples(Path dir, String imagesName, String labelsName, int classes) {
        Path imagesFile = DataFiles.find(dir, imagesName);
        Path labelsFile = DataFiles.find(dir, labelsName);
        Idx images = Idx.read(imagesFile, Idx.IMAGES);
        Idx labels = Idx.read(labelsFile, Idx.LABELS);
        int[] d = images.dims();
        if (d[1] != 28 || d[2] != 28) {
            throw new IllegalStateException(imagesFile.getFileName() + ": images are " + d[1] + "×" + d[2]
                    + " (offsets 8 and 12), expected 28×28");
        }
        if (labels.count() != images.count()) {
            throw new IllegalStateException(labelsFile.getFileName() + ": " + labels.count() + " labels (offset 4) for "
                    + images.count() + " images in " + imagesFile.getFileName());
        }
        return Examples.ofBytes(images.values(), labels.labels(labelsFile.getFileName().toString(), classes), 28 * 28);
    }
}
