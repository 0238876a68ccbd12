package dev.kiln.plugins.datasets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdxTest {

    @TempDir
    Path dir;

    static byte[] idx(int magic, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.putInt(magic);
        for (int d : dims) {
            b.putInt(d);
        }
        b.put(data);
        return b.array();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    /** Writes a small MNIST-style dataset (n train, m test) in IDX, gzipped or raw. */
    static void writeMnist(Path dir, int n, int m, boolean gz) throws IOException {
        for (String[] f : new String[][] {{"train", String.valueOf(n)}, {"t10k", String.valueOf(m)}}) {
            int count = Integer.parseInt(f[1]);
            byte[] pixels = new byte[count * 784];
            byte[] labels = new byte[count];
            for (int i = 0; i < count; i++) {
                labels[i] = (byte) (i % 10);
                Arrays.fill(pixels, i * 784, (i + 1) * 784, (byte) (i * 25));
            }
            byte[] img = idx(Idx.IMAGES, new int[] {count, 28, 28}, pixels);
            byte[] lab = idx(Idx.LABELS, new int[] {count}, labels);
            Files.write(dir.resolve(f[0] + "-images-idx3-ubyte" + (gz ? ".gz" : "")), gz ? gzip(img) : img);
            Files.write(dir.resolve(f[0] + "-labels-idx1-ubyte" + (gz ? ".gz" : "")), gz ? gzip(lab) : lab);
        }
    }

    @Test
    void readsRawFilesAsWellAsGzip() throws IOException {
        writeMnist(dir, 20, 10, false);
        var d = new MnistFactory().create(null, new DirContext(dir, 1));
        assertEquals(20, d.size(dev.kiln.api.data.Split.TRAIN));
        float[] x = new float[784];
        assertEquals(3, d.read(dev.kiln.api.data.Split.TEST, 3, x, 0, null));
        assertEquals(75 / 255f, x[100]);
    }

    @Test
    void wrongMagicNamesTheFileOffsetAndExpectation() throws IOException {
        byte[] bad = idx(0, new int[] {60000, 28, 28}, new byte[0]);
        Path f = dir.resolve("train-images-idx3-ubyte.gz");
        Files.write(f, gzip(bad));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Idx.read(f, Idx.IMAGES));
        assertEquals("train-images-idx3-ubyte.gz: magic at offset 0 is 0x00000000, expected 0x00000803 (IDX unsigned-byte 3-D)",
                e.getMessage());
    }

    @Test
    void truncatedFileSaysWhereItEndsAndWhatSizeWasExpected() throws IOException {
        byte[] full = idx(Idx.IMAGES, new int[] {60000, 28, 28}, new byte[1000]);
        Path f = dir.resolve("train-images-idx3-ubyte.gz");
        Files.write(f, gzip(full));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Idx.read(f, Idx.IMAGES));
        assertTrue(e.getMessage().startsWith("train-images-idx3-ubyte.gz: ends at byte 1016, expected 47040016 = 16 + 60000×28×28"),
                e.getMessage());
    }

    @Test
    void truncatedHeaderSaysWhichFieldIsMissing() throws IOException {
        Path f = dir.resolve("t10k-labels-idx1-ubyte");
        Files.write(f, new byte[] {0, 0, 8, 1, 0, 0});
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Idx.read(f, Idx.LABELS));
        assertEquals("t10k-labels-idx1-ubyte: ends at byte 6, expected dimension 0 (a 32-bit size) at offset 4", e.getMessage());
    }

    @Test
    void truncatedGzipStreamIsReportedWithTheDecompressedLength() throws IOException {
        byte[] gz = gzip(idx(Idx.LABELS, new int[] {5000}, new byte[5000]));
        Path f = dir.resolve("t10k-labels-idx1-ubyte.gz");
        Files.write(f, Arrays.copyOf(gz, gz.length / 2));
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Idx.read(f, Idx.LABELS));
        assertTrue(e.getMessage().contains("t10k-labels-idx1-ubyte.gz: gzip stream ends early"), e.getMessage());
    }

    @Test
    void labelOutOfRangeNamesItsOffset() throws IOException {
        Path f = dir.resolve("labels");
        Files.write(f, idx(Idx.LABELS, new int[] {3}, new byte[] {1, 12, 3}));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Idx.read(f, Idx.LABELS).labels("labels", 10));
        assertEquals("labels: label at offset 9 is 12, expected 0..9", e.getMessage());
    }

    @Test
    void parsesDimensions() {
        Idx i = Idx.parse("x", idx(Idx.IMAGES, new int[] {2, 28, 28}, new byte[2 * 784]), Idx.IMAGES);
        assertArrayEquals(new int[] {2, 28, 28}, i.dims());
        assertEquals(2 * 784, i.values().length);
    }
}
