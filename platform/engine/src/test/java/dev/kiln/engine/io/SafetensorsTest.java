package dev.kiln.engine.io;

import dev.kiln.api.tensor.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsTest {

    private static final String FIXTURE = "fixtures/torch/conv2d_basic.safetensors";

    @TempDir
    Path dir;

    @Test
    void roundTripKeepsTensorsOrderDtypesShapesAndMetadata() throws IOException {
        List<StoredTensor> tensors = List.of(
                StoredTensor.of("f32", new float[] {1.5f, -2f, 3.25f}, 3),
                StoredTensor.of("f64", new double[] {Math.PI, -0.0, Double.MIN_VALUE, 1e300, Double.NaN, 6}, 2, 3),
                StoredTensor.of("i64", new long[] {Long.MIN_VALUE, -1, Long.MAX_VALUE}, 3, 1),
                StoredTensor.of("scalar", new double[] {42}),
                StoredTensor.of("empty", new float[0], 0, 4));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("step", "10");
        meta.put("quote\"and\\slash\n", "ünïcode ✓");
        Path file = dir.resolve("t.safetensors");

        Safetensors.write(file, tensors, meta);
        SafetensorsFile back = Safetensors.read(file);

        assertEquals(List.of("f32", "f64", "i64", "scalar", "empty"), List.copyOf(back.tensors().keySet()));
        for (StoredTensor t : tensors) {
            StoredTensor r = back.tensor(t.name());
            assertEquals(t, r);
            assertEquals(t.dtype(), r.dtype());
            assertArrayEquals(t.shape(), r.shape());
        }
        assertArrayEquals(new long[] {Long.MIN_VALUE, -1, Long.MAX_VALUE}, back.tensor("i64").toLongArray());
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(back.tensor("f64").toDoubleArray()[1]));
        assertEquals(meta, back.metadata());
    }

    @Test
    void writesTheReferenceLayoutHeaderPaddedWithSpacesWidestDataFirst() throws IOException {
        Path file = dir.resolve("layout.safetensors");
        Safetensors.write(file, List.of(StoredTensor.of("a", new float[] {1}, 1), StoredTensor.of("b", new double[] {2}, 1)),
                Map.of("k", "v"));
        byte[] bytes = Files.readAllBytes(file);
        String json = "{\"__metadata__\":{\"k\":\"v\"},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]},"
                + "\"b\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}";
        int n = (json.length() + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(n, b.getLong(0));
        assertEquals(json + " ".repeat(n - json.length()), new String(bytes, 8, n, StandardCharsets.UTF_8));
        assertEquals(2.0, b.getDouble(8 + n));
        assertEquals(1.0f, b.getFloat(8 + n + 8));
        assertEquals(8 + n + 12, bytes.length);
    }

    @Test
    void readsAPythonWrittenFixture() throws IOException {
        SafetensorsFile f = readResource(FIXTURE);
        assertEquals("conv2d", f.metadata("op"));
        assertEquals("1,1", f.metadata("stride"));
        assertEquals(List.of("x", "weight", "bias", "gy", "y", "gx", "gw", "gb"), List.copyOf(f.tensors().keySet()));
        StoredTensor x = f.tensor("x");
        assertEquals(DType.FLOAT64, x.dtype());
        assertArrayEquals(new int[] {2, 3, 6, 7}, x.shape());
        assertArrayEquals(new double[] {1.2221484305655224, 1.8610420236267582, 1.5680580995999518},
                Arrays.copyOf(x.toDoubleArray(), 3));
        StoredTensor idx = readResource("fixtures/torch/max_pool2d_2x2.safetensors").tensor("indices");
        assertEquals(DType.INT64, idx.dtype());
        assertArrayEquals(new long[] {0, 3, 10, 12}, Arrays.copyOf(idx.toLongArray(), 4));
    }

    @Test
    void rewritingAPythonFixtureReproducesItsBytesExactly() throws IOException {
        byte[] original = resourceBytes(FIXTURE);
        SafetensorsFile f = readResource(FIXTURE);
        Path file = dir.resolve("rewritten.safetensors");
        Safetensors.write(file, f.tensors().values(), f.metadata());
        assertArrayEquals(original, Files.readAllBytes(file));
    }

    @Test
    void rejectsAFileShorterThanTheLengthPrefix() throws IOException {
        IOException e = assertThrows(IOException.class, () -> Safetensors.read(write("short", new byte[5])));
        assertMessage(e, "short", "at byte 0", "expected an 8-byte header length", "only 5 bytes");
    }

    @Test
    void rejectsAHeaderLengthBeyondTheFile() throws IOException {
        byte[] bytes = resourceBytes(FIXTURE);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1_000_000_000_000L);
        IOException e = assertThrows(IOException.class, () -> Safetensors.read(write("huge", bytes)));
        assertMessage(e, "huge", "at byte 0", "header length 1000000000000 exceeds the " + (bytes.length - 8) + " bytes",
                "file size " + bytes.length);
    }

    @Test
    void rejectsEveryTruncation() throws IOException {
        byte[] bytes = resourceBytes(FIXTURE);
        for (int len : new int[] {0, 7, 8, 100, 8 + 680, bytes.length - 1}) {
            IOException e = assertThrows(IOException.class,
                    () -> Safetensors.read(write("cut" + len, Arrays.copyOf(bytes, len))), "truncated to " + len);
            assertMessage(e, "cut" + len, "at byte ");
        }
        IOException e = assertThrows(IOException.class, () -> Safetensors.read(write("cutdata", Arrays.copyOf(bytes, bytes.length - 8))));
        assertMessage(e, "cutdata", "data_offsets", "do not lie within", "truncated");
    }

    @Test
    void rejectsTrailingBytesAfterTheLastTensor() throws IOException {
        byte[] bytes = Arrays.copyOf(resourceBytes(FIXTURE), resourceBytes(FIXTURE).length + 8);
        IOException e = assertThrows(IOException.class, () -> Safetensors.read(write("trailing", bytes)));
        assertMessage(e, "trailing", "at byte " + (bytes.length - 8), "cover all", "trailing bytes");
    }

    @Test
    void rejectsCorruptHeaders() throws IOException {
        String unclosed = "{\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}";
        assertRejected(unclosed, 8 + unclosed.length(), "invalid JSON", "expected ',' or '}', found end of text");
        assertRejected("[1]", 8, "expected the JSON header to start with '{'");
        assertRejected("{\"a\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[0,8]}}", 8, "unsupported dtype BF16", "'a'");
        assertRejected("{\"a\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "needs 16 bytes", "span 8");
        assertRejected("{\"a\":{\"dtype\":\"F64\",\"shape\":[-1],\"data_offsets\":[0,8]}}", 8, "non-negative integer sizes");
        assertRejected("{\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8],\"x\":1}}", 8, "unexpected key \"x\"");
        assertRejected("{\"__metadata__\":{\"k\":1},\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8,
                "metadata \"k\" to be a string");
        assertRejected("{\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]},\"a\":{}}", -1, "duplicate key \"a\"");
    }

    @Test
    void rejectsOverlappingOrGappedOffsets() throws IOException {
        String overlap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        IOException e = assertThrows(IOException.class, () -> Safetensors.read(withHeader("overlap", overlap, 16)));
        assertMessage(e, "overlap", "tensor 'b' to start at data offset 8 where 'a' ends", "overlap");
        String gap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
        e = assertThrows(IOException.class, () -> Safetensors.read(withHeader("gap", gap, 8)));
        assertMessage(e, "gap", "start at data offset 0 (the start of the data)", "a gap");
    }

    @Test
    void refusesToWriteDuplicateOrReservedNames() {
        StoredTensor a = StoredTensor.of("a", new double[] {1}, 1);
        assertThrows(IllegalArgumentException.class, () -> Safetensors.write(dir.resolve("d"), List.of(a, a), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> Safetensors.write(dir.resolve("r"),
                List.of(StoredTensor.of("__metadata__", new double[] {1}, 1)), Map.of()));
    }

    // ---- helpers -----------------------------------------------------------------------------------

    private void assertRejected(String header, long offset, String... fragments) throws IOException {
        Path file = withHeader("corrupt", header, 8);
        IOException e = assertThrows(IOException.class, () -> Safetensors.read(file), header);
        assertMessage(e, file.toString());
        if (offset >= 0) {
            assertMessage(e, "at byte " + offset + ":");
        }
        assertMessage(e, fragments);
    }

    private Path withHeader(String name, String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return write(name, b.array());
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path file = dir.resolve(name + ".safetensors");
        Files.write(file, bytes);
        return file;
    }

    private static void assertMessage(Exception e, String... fragments) {
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), () -> "expected \"" + f + "\" in: " + e.getMessage());
        }
    }

    private static byte[] resourceBytes(String resource) throws IOException {
        try (InputStream in = SafetensorsTest.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("missing test resource " + resource);
            }
            return in.readAllBytes();
        }
    }

    private static SafetensorsFile readResource(String resource) throws IOException {
        try (InputStream in = SafetensorsTest.class.getClassLoader().getResourceAsStream(resource)) {
            return Safetensors.read(in, resource);
        }
    }
}
