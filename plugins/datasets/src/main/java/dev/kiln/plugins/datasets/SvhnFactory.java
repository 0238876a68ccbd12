package dev.kiln.plugins.datasets;

import dev.kiln.api.data.Dataset;
import dev.kiln.api.data.DatasetContext;
import dev.kiln.api.data.DatasetFactory;
import dev.kiln.api.plugin.Params;
import org.osgi.service.component.annotations.Component;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * SVHN cropped digits (Netzer et al. 2011, http://ufldl.stanford.edu/housenumbers/):
 * {@code train_32x32.mat} (73,257) and {@code test_32x32.mat} (26,032) images of 3×32×32 in [0, 1];
 * classes "0".."9" (the files' label 10 is digit 0). Parameters: {@code validation_fraction},
 * {@code transforms}.
 */
@Component(service = DatasetFactory.class, property = {"kiln.kind=dataset", "kiln.name=svhn"})
public final class SvhnFactory implements DatasetFactory {

    @Override
    public Dataset create(Params params, DatasetContext context) {
        Path dir = context.locate("svhn", "train_32x32.mat", "test_32x32.mat");
        Examples train = examples(DataFiles.find(dir, "train_32x32.mat"));
        Examples test = examples(DataFiles.find(dir, "test_32x32.mat"));
        return InMemoryDataset.create("svhn", new int[] {3, 32, 32}, IdxDatasets.DIGITS, train, test, params, context.seed());
    }

    /** X: uint8 32×32×3×N column-major (row, column, channel, example); y: N×1 labels 1..10. */
    static Examples examples(Path path) {
        String file = path.getFileName().toString();
        Map<String, MatV5.Array> arrays = MatV5.read(path);
        MatV5.Array x = arrays.get("X");
        MatV5.Array y = arrays.get("y");
        if (x == null || y == null) {
            throw new IllegalStateException(file + ": expected arrays \"X\" and \"y\", found " + arrays.keySet());
        }
        int[] d = x.dims();
        if (d.length != 4 || d[0] != 32 || d[1] != 32 || d[2] != 3 || x.bytes() == null) {
            throw new IllegalStateException(file + ": X is " + Arrays.toString(d) + (x.bytes() == null ? " (not uint8)" : "")
                    + ", expected uint8 32×32×3×N");
        }
        int n = d[3];
        if (y.length() != n) {
            throw new IllegalStateException(file + ": y has " + y.length() + " labels for " + n + " images in X");
        }
        byte[] pixels = x.bytes();
        byte[] tmp = new byte[3072];
        for (int e = 0; e < n; e++) {
            int base = e * 3072;
            // column-major (i + 32 j + 1024 c) to CHW (1024 c + 32 i + j), one example at a time
            for (int c = 0; c < 3; c++) {
                for (int i = 0; i < 32; i++) {
                    for (int j = 0; j < 32; j++) {
                        tmp[c * 1024 + i * 32 + j] = pixels[base + i + 32 * j + 1024 * c];
                    }
                }
            }
            System.arraycopy(tmp, 0, pixels, base, 3072);
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            double v = y.get(i);
            if (v != Math.rint(v) || v < 0 || v > 10) {
                throw new IllegalStateException(file + ": label y(" + (i + 1) + ") is " + v + ", expected 1..10 (10 is digit 0)");
            }
            labels[i] = (int) v % 10;
        }
        return Examples.ofBytes(pixels, labels, 3072);
    }
}
