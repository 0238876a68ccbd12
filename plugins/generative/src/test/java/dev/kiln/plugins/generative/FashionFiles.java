package dev.kiln.plugins.generative;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** The first {@code n} images (pixels / 255, in [0, 1]) or labels of a Fashion-MNIST IDX file, read directly. */
final class FashionFiles {

    static final Path DIR = Path.of("/usr/share/datasets/fashion-mnist");

    private FashionFiles() {
    }

    static boolean present() {
        return Files.exists(DIR.resolve("train-images-idx3-ubyte.gz")) && Files.exists(DIR.resolve("t10k-images-idx3-ubyte.gz"));
    }

    /** {@code n × 784} floats, row-major; {@code split} is {@code "train"} or {@code "t10k"}. */
    static float[] images(Path dir, String split, int n) throws IOException {
        try (DataInputStream in = open(dir.resolve(split + "-images-idx3-ubyte.gz"), 0x803)) {
            int count = in.readInt(), rows = in.readInt(), cols = in.readInt();
            if (rows != 28 || cols != 28 || n > count) {
                throw new IOException(split + ": " + count + " images of " + rows + " x " + cols + ", asked for " + n + " of 28 x 28");
            }
            byte[] b = new byte[n * 784];
            in.readFully(b);
            float[] out = new float[b.length];
            for (int i = 0; i < b.length; i++) {
                out[i] = (b[i] & 0xff) / 255f;
            }
            return out;
        }
    }

    static int[] labels(Path dir, String split, int n) throws IOException {
        try (DataInputStream in = open(dir.resolve(split + "-labels-idx1-ubyte.gz"), 0x801)) {
            int count = in.readInt();
            if (n > count) {
                throw new IOException(split + ": " + count + " labels, asked for " + n);
            }
            byte[] b = new byte[n];
            in.readFully(b);
            int[] out = new int[n];
            for (int i = 0; i < n; i++) {
                out[i] = b[i] & 0xff;
            }
            return out;
        }
    }

    private static DataInputStream open(Path file, int magic) throws IOException {
        InputStream raw = new GZIPInputStream(Files.newInputStream(file), 1 << 16);
        DataInputStream in = new DataInputStream(raw);
        int m = in.readInt();
        if (m != magic) {
            in.close();
            throw new IOException(file + ": magic " + Integer.toHexString(m) + ", expected " + Integer.toHexString(magic));
        }
        return in;
    }
}
