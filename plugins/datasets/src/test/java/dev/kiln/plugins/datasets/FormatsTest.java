package dev.kiln.plugins.datasets;

import dev.kiln.api.data.Dataset;
import dev.kiln.api.data.Split;
import dev.kiln.model.MapParams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CIFAR, SVHN, image folders and CSV on small files written in the real formats. */
class FormatsTest {

    @TempDir
    Path root;

    // ---- CIFAR ---------------------------------------------------------------------------------

    /** A CIFAR record: label bytes, then R, G, B planes; pixel (c, y, x) = c*50 + y + x. */
    private static byte[] cifarRecords(int count, int labelBytes, int seed) {
        int rec = labelBytes + 3072;
        byte[] out = new byte[count * rec];
        for (int i = 0; i < count; i++) {
            for (int l = 0; l < labelBytes; l++) {
                out[i * rec + l] = (byte) ((i + seed + l * 7) % (l == labelBytes - 1 && labelBytes == 2 ? 100 : labelBytes == 2 ? 20 : 10));
            }
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        out[i * rec + labelBytes + c * 1024 + y * 32 + x] = (byte) (c * 50 + y + x);
                    }
                }
            }
        }
        return out;
    }

    @Test
    void cifar10ReadsFiveTrainingBatchesAndTheTestBatch() throws IOException {
        Path dir = Files.createDirectories(root.resolve("cifar10"));
        for (int b = 1; b <= 5; b++) {
            Files.write(dir.resolve("data_batch_" + b + ".bin"), cifarRecords(3, 1, b));
        }
        Files.write(dir.resolve("test_batch.bin"), cifarRecords(4, 1, 0));
        Dataset d = new Cifar10Factory().create(null, new DirContext(root, 1));
        assertEquals(15, d.size(Split.TRAIN));
        assertEquals(4, d.size(Split.TEST));
        assertArrayEquals(new int[] {3, 32, 32}, d.info().exampleShape());
        assertEquals("truck", d.info().classNames().get(9));
        float[] x = new float[3072];
        assertEquals(1, d.read(Split.TRAIN, 0, x, 0, null)); // batch 1, record 0: label (0 + 1) % 10
        assertEquals((2 * 50 + 3 + 4) / 255f, x[2 * 1024 + 3 * 32 + 4]);
    }

    @Test
    void cifar100ReadsFineOrCoarseLabels() throws IOException {
        Path dir = Files.createDirectories(root.resolve("cifar100"));
        Files.write(dir.resolve("train.bin"), cifarRecords(5, 2, 3));
        Files.write(dir.resolve("test.bin"), cifarRecords(2, 2, 0));
        float[] x = new float[3072];
        Dataset fine = new Cifar100Factory().create(MapParams.empty("dataset.params"), new DirContext(root, 1));
        assertEquals(100, fine.info().classes());
        assertEquals((1 + 3 + 7) % 100, fine.read(Split.TRAIN, 1, x, 0, null));
        Dataset coarse = new Cifar100Factory().create(new MapParams("dataset.params", Map.of("label", "coarse")), new DirContext(root, 1));
        assertEquals(20, coarse.info().classes());
        assertEquals((1 + 3) % 20, coarse.read(Split.TRAIN, 1, x, 0, null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Cifar100Factory().create(new MapParams("dataset.params", Map.of("label", "medium")), new DirContext(root, 1)));
        assertEquals("dataset.params.label: expected \"fine\" or \"coarse\", got \"medium\"", e.getMessage());
    }

    @Test
    void truncatedCifarFileNamesTheRecordAndOffset() throws IOException {
        Path f = root.resolve("test_batch.bin");
        Files.write(f, Arrays.copyOf(cifarRecords(3, 1, 0), 3073 * 2 + 100));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> CifarBinary.read(List.of(f), 1, 0, 10));
        assertEquals("test_batch.bin: ends at byte 6246, expected a whole number of 3073-byte records (1 label byte + 3072 pixels);"
                + " record 2 at offset 6146 is truncated", e.getMessage());
    }

    // ---- SVHN (MAT v5) ---------------------------------------------------------------------------

    private static final int MI_INT8 = 1;
    private static final int MI_UINT8 = 2;
    private static final int MI_INT32 = 5;
    private static final int MI_UINT32 = 6;
    private static final int MI_DOUBLE = 9;
    private static final int MI_MATRIX = 14;
    private static final int MI_COMPRESSED = 15;

    /** A data element with an 8-byte tag, padded to 8 bytes (or a small element when it fits in 4). */
    private static byte[] element(int type, byte[] data) {
        if (data.length <= 4 && type != MI_MATRIX) {
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt((data.length << 16) | type).put(data);
            return b.array();
        }
        int padded = (data.length + 7) & ~7;
        ByteBuffer b = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(type).putInt(data.length).put(data);
        return b.array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** A miMATRIX element of class mxCLASS with dims, name and real part (storage type, bytes). */
    static byte[] matrix(int mxClass, int[] dims, String name, int storage, byte[] real) {
        ByteBuffer flags = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(mxClass).putInt(0);
        ByteBuffer d = ByteBuffer.allocate(4 * dims.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : dims) {
            d.putInt(v);
        }
        return element(MI_MATRIX, concat(element(MI_UINT32, flags.array()), element(MI_INT32, d.array()),
                element(MI_INT8, name.getBytes(StandardCharsets.US_ASCII)), element(storage, real)));
    }

    static byte[] compressed(byte[] element) throws IOException {
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        try (DeflaterOutputStream out = new DeflaterOutputStream(z, new Deflater(6))) {
            out.write(element);
        }
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(MI_COMPRESSED).putInt(z.size());
        return concat(b.array(), z.toByteArray());
    }

    static byte[] header() {
        byte[] h = new byte[128];
        byte[] text = "MATLAB 5.0 MAT-file, Platform: GLNXA64, Created on: Thu Dec  1 00:00:00 2011".getBytes(StandardCharsets.US_ASCII);
        Arrays.fill(h, 0, 116, (byte) ' ');
        System.arraycopy(text, 0, h, 0, text.length);
        h[124] = 0x00;
        h[125] = 0x01; // version 0x0100 little-endian
        h[126] = 'I';
        h[127] = 'M';
        return h;
    }

    /** SVHN-style file: X uint8 32×32×3×n (column-major), pixel (i, j, c, e) = i + 2j + 7c + e; y double labels 1..10. */
    static byte[] svhn(int n, double[] labels, boolean compressX) throws IOException {
        byte[] x = new byte[3072 * n];
        for (int e = 0; e < n; e++) {
            for (int c = 0; c < 3; c++) {
                for (int j = 0; j < 32; j++) {
                    for (int i = 0; i < 32; i++) {
                        x[i + 32 * j + 1024 * c + 3072 * e] = (byte) (i + 2 * j + 7 * c + e);
                    }
                }
            }
        }
        ByteBuffer y = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (double l : labels) {
            y.putDouble(l);
        }
        byte[] xEl = matrix(9 /* mxUINT8 */, new int[] {32, 32, 3, n}, "X", MI_UINT8, x);
        byte[] yEl = matrix(6 /* mxDOUBLE */, new int[] {n, 1}, "y", MI_DOUBLE, y.array());
        return concat(header(), compressX ? compressed(xEl) : xEl, yEl);
    }

    @Test
    void svhnReadsCompressedUint8ImagesAndDoubleLabelsWithTenAsZero() throws IOException {
        Path dir = Files.createDirectories(root.resolve("svhn"));
        Files.write(dir.resolve("train_32x32.mat"), svhn(3, new double[] {10, 1, 9}, true));
        Files.write(dir.resolve("test_32x32.mat"), svhn(2, new double[] {5, 10}, false));
        Dataset d = new SvhnFactory().create(null, new DirContext(root, 1));
        assertEquals(3, d.size(Split.TRAIN));
        assertEquals(2, d.size(Split.TEST));
        float[] x = new float[3072];
        assertEquals(0, d.read(Split.TRAIN, 0, x, 0, null));
        assertEquals(1, d.read(Split.TRAIN, 1, x, 0, null));
        // CHW: channel 2, row 5, column 3 of example 1 = 5 + 2·3 + 7·2 + 1
        assertEquals((5 + 6 + 14 + 1) / 255f, x[2 * 1024 + 5 * 32 + 3]);
        assertEquals(0, d.read(Split.TEST, 1, x, 0, null));
    }

    @Test
    void truncatedMatFileNamesTheElementAndOffset() throws IOException {
        byte[] full = svhn(2, new double[] {1, 2}, false);
        Path f = root.resolve("test_32x32.mat");
        Files.write(f, Arrays.copyOf(full, 3000));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> MatV5.read(f));
        assertTrue(e.getMessage().startsWith("test_32x32.mat: element of type 14 at offset 128 needs "), e.getMessage());
        assertTrue(e.getMessage().contains("data ends at byte 3000"), e.getMessage());
    }

    @Test
    void corruptCompressedElementIsReported() throws IOException {
        byte[] full = svhn(1, new double[] {1}, true);
        full[128 + 8 + 20] ^= 0x5A;
        full[128 + 8 + 21] ^= 0x3C;
        Path f = root.resolve("train_32x32.mat");
        Files.write(f, full);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> MatV5.read(f));
        assertTrue(e.getMessage().startsWith("train_32x32.mat: compressed element at offset 128"), e.getMessage());
    }

    @Test
    void hdf5MatFileIsRejectedWithAHint() throws IOException {
        byte[] h = new byte[200];
        byte[] t = "MATLAB 7.3 MAT-file, Platform: GLNXA64, HDF5 schema 1.00".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(t, 0, h, 0, t.length);
        Path f = root.resolve("x.mat");
        Files.write(f, h);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> MatV5.read(f));
        assertTrue(e.getMessage().contains("expected \"IM\" or \"MI\"") && e.getMessage().contains("-v7"), e.getMessage());
    }

    // ---- image folder ----------------------------------------------------------------------------

    private void png(Path file, int w, int h, int rgb) throws IOException {
        Files.createDirectories(file.getParent());
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        ImageIO.write(img, "png", file.toFile());
    }

    @Test
    void imageFolderReadsClassDirectoriesAndResizes() throws IOException {
        Path d = root.resolve("shapes");
        png(d.resolve("train/cats/a.png"), 8, 8, 0xFF0000);
        png(d.resolve("train/cats/b.png"), 16, 16, 0xFF0000);
        png(d.resolve("train/dogs/c.png"), 8, 8, 0x0000FF);
        png(d.resolve("test/dogs/d.png"), 8, 8, 0x0000FF);
        Dataset ds = new ImageFolderFactory().create(new MapParams("dataset.params", Map.of("name", "shapes", "size", 8)),
                new DirContext(root, 1));
        assertEquals(List.of("cats", "dogs"), ds.info().classNames());
        assertArrayEquals(new int[] {3, 8, 8}, ds.info().exampleShape());
        assertEquals(3, ds.size(Split.TRAIN));
        assertEquals(1, ds.size(Split.TEST));
        float[] x = new float[192];
        assertEquals(0, ds.read(Split.TRAIN, 1, x, 0, null)); // the resized 16×16 red image
        assertEquals(1f, x[27]);
        assertEquals(0f, x[64 + 27]);
        assertEquals(1, ds.read(Split.TEST, 0, x, 0, null));
        assertEquals(1f, x[128 + 5]);

        Dataset gray = new ImageFolderFactory().create(new MapParams("dataset.params", Map.of("name", "shapes", "grayscale", true)),
                new DirContext(root, 1));
        assertArrayEquals(new int[] {1, 8, 8}, gray.info().exampleShape());
        gray.read(Split.TRAIN, 0, x, 0, null);
        assertEquals(Math.round(0.299 * 255) / 255f, x[0]);
    }

    @Test
    void imageFolderRejectsAFileThatIsNotAnImage() throws IOException {
        Path d = root.resolve("bad");
        png(d.resolve("a/ok.png"), 4, 4, 0);
        Files.writeString(d.resolve("a/notes.txt"), "hello");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new ImageFolderFactory().create(new MapParams("dataset.params", Map.of("name", "bad")), new DirContext(root, 1)));
        assertTrue(e.getMessage().endsWith("notes.txt: not an image ImageIO can read (expected PNG, JPEG, BMP or GIF)"), e.getMessage());
    }

    // ---- CSV -------------------------------------------------------------------------------------

    @Test
    void csvReadsFeaturesAndALabelColumnByName() throws IOException {
        Path d = Files.createDirectories(root.resolve("iris"));
        Files.writeString(d.resolve("train.csv"), "a,species,b\n1.5,setosa,2\n3,virginica,4.25\n5,setosa,6\n");
        Files.writeString(d.resolve("test.csv"), "a,species,b\n7,virginica,8\n");
        Dataset ds = new CsvFactory().create(new MapParams("dataset.params", Map.of("name", "iris", "label", "species")),
                new DirContext(root, 1));
        assertEquals(List.of("setosa", "virginica"), ds.info().classNames());
        assertArrayEquals(new int[] {2}, ds.info().exampleShape());
        float[] x = new float[2];
        assertEquals(1, ds.read(Split.TRAIN, 1, x, 0, null));
        assertArrayEquals(new float[] {3, 4.25f}, x);
        assertEquals(1, ds.read(Split.TEST, 0, x, 0, null));
    }

    @Test
    void csvWithoutHeaderTakesTheLabelByIndex() throws IOException {
        Path d = Files.createDirectories(root.resolve("t"));
        Files.writeString(d.resolve("train.csv"), "2,0.5,0.25\n0,1,2\n1,3,4\n");
        Dataset ds = new CsvFactory().create(new MapParams("dataset.params", Map.of("name", "t", "label", 0)), new DirContext(root, 1));
        assertEquals(List.of("0", "1", "2"), ds.info().classNames());
        assertEquals(0, ds.size(Split.TEST));
        float[] x = new float[2];
        assertEquals(2, ds.read(Split.TRAIN, 0, x, 0, null));
        assertArrayEquals(new float[] {0.5f, 0.25f}, x);
    }

    @Test
    void csvNonNumericFieldNamesLineAndColumn() throws IOException {
        Path d = Files.createDirectories(root.resolve("t"));
        Files.writeString(d.resolve("train.csv"), "x,y,label\n1,2,0\n3,oops,1\n");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new CsvFactory().create(new MapParams("dataset.params", Map.of("name", "t")), new DirContext(root, 1)));
        assertEquals("train.csv: line 3, column 2 is \"oops\", expected a number", e.getMessage());
    }
}
