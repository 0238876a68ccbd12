package dev.kiln.engine.io;

import dev.kiln.api.tensor.DType;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a> format,
 * byte-compatible with PyTorch's and Hugging Face's: an 8-byte little-endian header length {@code n},
 * {@code n} bytes of UTF-8 JSON mapping each tensor name to
 * {@code {"dtype": "F64", "shape": [2, 3], "data_offsets": [begin, end]}} (plus an optional
 * {@code "__metadata__"} map of strings to strings), then the raw little-endian data, row-major,
 * with offsets relative to the end of the header.
 *
 * <p>Supported dtypes: {@code F32}, {@code F64}, {@code I64}. Reading is strict: a truncated or
 * corrupt file gets an {@link IOException} naming the file, the byte offset and what was expected.
 *
 * <pre>{@code
 * Safetensors.write(path, List.of(StoredTensor.of("w", new double[] {1, 2}, 2)), Map.of("step", "10"));
 * double[] w = Safetensors.read(path).tensor("w").toDoubleArray();
 * }</pre>
 */
public final class Safetensors {

    /** The reference implementation's cap on the header size. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final String METADATA_KEY = "__metadata__";

    private Safetensors() {
    }

    /** Reads a whole file; tensors keep their header order. */
    public static SafetensorsFile read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(new ChannelSource(ch, file.toString()), file.toString());
        }
    }

    /**
     * Reads safetensors bytes from a stream (e.g. a classpath resource) to its end.
     *
     * @param sourceName how errors name the source, e.g. the resource path
     */
    public static SafetensorsFile read(InputStream in, String sourceName) throws IOException {
        return read(new BytesSource(ByteBuffer.wrap(in.readAllBytes())), sourceName);
    }

    /**
     * Writes tensors and metadata to a file, atomically where the file system allows: the bytes go to
     * a temporary sibling that then replaces {@code file}. The header lists the tensors in the given
     * order; the data is laid out widest element type first so every tensor is aligned to its element
     * size, as the reference implementation does.
     */
    public static void write(Path file, Collection<StoredTensor> tensors, Map<String, String> metadata) throws IOException {
        byte[] header = header(tensors, metadata);
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
                writeFully(ch, prefix);
                writeFully(ch, ByteBuffer.wrap(header));
                for (StoredTensor t : dataOrder(tensors)) {
                    writeFully(ch, t.data());
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    // ---- writing --------------------------------------------------------------------------------

    private static byte[] header(Collection<StoredTensor> tensors, Map<String, String> metadata) {
        Set<String> names = new HashSet<>();
        for (StoredTensor t : tensors) {
            if (t.name().equals(METADATA_KEY)) {
                throw new IllegalArgumentException("'" + METADATA_KEY + "' is reserved and cannot name a tensor");
            }
            if (!names.add(t.name())) {
                throw new IllegalArgumentException("duplicate tensor name '" + t.name() + "'");
            }
        }
        Map<String, long[]> offsets = new LinkedHashMap<>();
        long offset = 0;
        for (StoredTensor t : dataOrder(tensors)) {
            long size = t.data().remaining();
            offsets.put(t.name(), new long[] {offset, offset + size});
            offset += size;
        }
        Map<String, Object> json = new LinkedHashMap<>();
        if (!metadata.isEmpty()) {
            Map<String, Object> meta = new LinkedHashMap<>();
            metadata.forEach((k, v) -> meta.put(requireNonNull(k, "metadata key"), requireNonNull(v, "metadata value of '" + k + "'")));
            json.put(METADATA_KEY, meta);
        }
        for (StoredTensor t : tensors) {
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", code(t.dtype()));
            List<Object> shape = new ArrayList<>();
            for (int s : t.shape()) {
                shape.add((long) s);
            }
            info.put("shape", shape);
            long[] o = offsets.get(t.name());
            info.put("data_offsets", List.of(o[0], o[1]));
            json.put(t.name(), info);
        }
        byte[] text = Json.write(json).getBytes(StandardCharsets.UTF_8);
        int padded = (text.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(text, padded);
        Arrays.fill(out, text.length, padded, (byte) ' ');
        return out;
    }

    /** Widest element type first, otherwise in the given order (a stable sort). */
    private static List<StoredTensor> dataOrder(Collection<StoredTensor> tensors) {
        List<StoredTensor> order = new ArrayList<>(tensors);
        order.sort(Comparator.comparingInt((StoredTensor t) -> t.dtype().byteSize()).reversed());
        return order;
    }

    private static String requireNonNull(String s, String what) {
        if (s == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        return s;
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static String code(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> "F32";
            case FLOAT64 -> "F64";
            case INT64 -> "I64";
        };
    }

    private static DType dtype(String code) {
        return switch (code) {
            case "F32" -> DType.FLOAT32;
            case "F64" -> DType.FLOAT64;
            case "I64" -> DType.INT64;
            default -> null;
        };
    }

    // ---- reading --------------------------------------------------------------------------------

    private static SafetensorsFile read(Source src, String name) throws IOException {
        long size = src.size();
        if (size < 8) {
            throw corrupt(name, 0, "expected an 8-byte header length, but the file is only " + size + " bytes");
        }
        long headerLength = src.read(0, 8).getLong(0);
        if (headerLength < 0 || headerLength > size - 8) {
            throw corrupt(name, 0, "header length " + Long.toUnsignedString(headerLength) + " exceeds the "
                    + (size - 8) + " bytes after the 8-byte length prefix (file size " + size + "); truncated or not a safetensors file");
        }
        if (headerLength > MAX_HEADER_BYTES) {
            throw corrupt(name, 0, "header length " + headerLength + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
        }
        if (headerLength < 2) {
            throw corrupt(name, 0, "header length " + headerLength + " is too short for a JSON object");
        }
        ByteBuffer headerBytes = src.read(8, (int) headerLength);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(headerBytes).toString();
        } catch (CharacterCodingException e) {
            throw corrupt(name, 8, "expected a UTF-8 JSON header of " + headerLength + " bytes: " + e.getMessage());
        }
        if (text.charAt(0) != '{') {
            throw corrupt(name, 8, "expected the JSON header to start with '{', found " + describe(text.charAt(0)));
        }
        Object parsed;
        try {
            parsed = Json.parse(text);
        } catch (Json.SyntaxException e) {
            long at = 8 + text.substring(0, e.position()).getBytes(StandardCharsets.UTF_8).length;
            throw corrupt(name, at, "invalid JSON header: " + e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> header)) {
            throw corrupt(name, 8, "expected the header to be a JSON object");
        }

        long dataStart = 8 + headerLength;
        long dataLength = size - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Layout> layouts = new ArrayList<>();
        for (Map.Entry<?, ?> e : header.entrySet()) {
            String key = (String) e.getKey();
            if (key.equals(METADATA_KEY)) {
                if (!(e.getValue() instanceof Map<?, ?> meta)) {
                    throw corrupt(name, 8, "expected \"" + METADATA_KEY + "\" to be an object of strings, got " + e.getValue());
                }
                for (Map.Entry<?, ?> m : meta.entrySet()) {
                    if (!(m.getValue() instanceof String v)) {
                        throw corrupt(name, 8, "expected metadata \"" + m.getKey() + "\" to be a string, got " + m.getValue());
                    }
                    metadata.put((String) m.getKey(), v);
                }
            } else {
                layouts.add(layout(name, key, e.getValue(), dataLength));
            }
        }

        List<Layout> byOffset = new ArrayList<>(layouts);
        byOffset.sort(Comparator.comparingLong(Layout::begin));
        long expectedBegin = 0;
        String previous = null;
        for (Layout l : byOffset) {
            if (l.begin != expectedBegin) {
                throw corrupt(name, dataStart + l.begin, "expected tensor '" + l.name + "' to start at data offset " + expectedBegin
                        + (previous == null ? " (the start of the data)" : " where '" + previous + "' ends")
                        + ", but it starts at " + l.begin + (l.begin > expectedBegin ? " (a gap)" : " (an overlap)"));
            }
            expectedBegin = l.end;
            previous = l.name;
        }
        if (expectedBegin != dataLength) {
            throw corrupt(name, dataStart + expectedBegin, "expected the tensors to cover all " + dataLength
                    + " data bytes, but they end at data offset " + expectedBegin + " (trailing bytes)");
        }

        Map<String, StoredTensor> tensors = new LinkedHashMap<>();
        for (Layout l : layouts) {
            ByteBuffer data = src.read(dataStart + l.begin, (int) (l.end - l.begin));
            tensors.put(l.name, new StoredTensor(l.name, l.dtype, l.shape, data));
        }
        return new SafetensorsFile(tensors, metadata);
    }

    private record Layout(String name, DType dtype, int[] shape, long begin, long end) {
    }

    private static Layout layout(String file, String tensor, Object value, long dataLength) throws IOException {
        String where = "tensor '" + tensor + "'";
        if (!(value instanceof Map<?, ?> info)) {
            throw corrupt(file, 8, "in the header: expected " + where + " to be an object with dtype, shape and data_offsets, got " + value);
        }
        for (Object k : info.keySet()) {
            if (!Set.of("dtype", "shape", "data_offsets").contains(k)) {
                throw corrupt(file, 8, "in the header: unexpected key \"" + k + "\" in " + where + "; expected dtype, shape and data_offsets");
            }
        }
        if (!(info.get("dtype") instanceof String code)) {
            throw corrupt(file, 8, "in the header: expected a string dtype for " + where + ", got " + info.get("dtype"));
        }
        DType dtype = dtype(code);
        if (dtype == null) {
            throw corrupt(file, 8, "in the header: unsupported dtype " + code + " for " + where + "; supported: F32, F64, I64");
        }
        if (!(info.get("shape") instanceof List<?> dims)) {
            throw corrupt(file, 8, "in the header: expected a shape array for " + where + ", got " + info.get("shape"));
        }
        int[] shape = new int[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!(dims.get(i) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE) {
                throw corrupt(file, 8, "in the header: expected non-negative integer sizes in the shape of " + where + ", got " + dims);
            }
            shape[i] = (int) (long) d;
        }
        long numel;
        try {
            numel = StoredTensor.numel(tensor, shape);
        } catch (IllegalArgumentException e) {
            throw corrupt(file, 8, "in the header: " + e.getMessage());
        }
        if (!(info.get("data_offsets") instanceof List<?> offsets) || offsets.size() != 2
                || !(offsets.get(0) instanceof Long begin) || !(offsets.get(1) instanceof Long end)) {
            throw corrupt(file, 8, "in the header: expected data_offsets [begin, end] of integers for " + where + ", got " + info.get("data_offsets"));
        }
        if (begin < 0 || end < begin || end > dataLength) {
            throw corrupt(file, 8, "in the header: data_offsets [" + begin + ", " + end + "] of " + where
                    + " do not lie within the " + dataLength + " data bytes; truncated file?");
        }
        long expected = numel * dtype.byteSize();
        if (end - begin != expected) {
            throw corrupt(file, 8, "in the header: " + where + " of shape " + dims + " " + code + " needs " + expected
                    + " bytes, but data_offsets [" + begin + ", " + end + "] span " + (end - begin));
        }
        return new Layout(tensor, dtype, shape, begin, end);
    }

    private static IOException corrupt(String file, long offset, String what) {
        return new IOException(file + ": at byte " + offset + ": " + what);
    }

    private static String describe(char c) {
        return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }

    /** Random access to the bytes being read. */
    private interface Source {
        long size() throws IOException;

        /** Exactly {@code length} bytes from {@code position}, little-endian, positioned at 0. */
        ByteBuffer read(long position, int length) throws IOException;
    }

    private record ChannelSource(FileChannel ch, String name) implements Source {
        @Override
        public long size() throws IOException {
            return ch.size();
        }

        @Override
        public ByteBuffer read(long position, int length) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining()) {
                if (ch.read(b, position + b.position()) < 0) {
                    throw new IOException(name + ": at byte " + (position + b.position()) + ": expected " + length
                            + " bytes from byte " + position + ", but the file ended (was it truncated while reading?)");
                }
            }
            return b.flip();
        }
    }

    private record BytesSource(ByteBuffer bytes) implements Source {
        @Override
        public long size() {
            return bytes.remaining();
        }

        @Override
        public ByteBuffer read(long position, int length) {
            return bytes.slice((int) position, length).order(ByteOrder.LITTLE_ENDIAN);
        }
    }
}
