package dev.kiln.plugins.datasets;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A reader for numeric arrays in MATLAB level-5 MAT-files (the format of SVHN's {@code *_32x32.mat}):
 * a 128-byte header, then data elements (8-byte tag or 4-byte "small element" tag, padded to 8 bytes),
 * {@code miMATRIX} arrays with flags, dimensions, name and real part, possibly wrapped in zlib
 * {@code miCOMPRESSED} elements. Arrays stored as unsigned bytes stay bytes; other numeric storage is
 * widened to double. Complex, sparse, cell and struct arrays are skipped.
 */
final class MatV5 {

    static final int MI_INT8 = 1;
    static final int MI_UINT8 = 2;
    static final int MI_INT16 = 3;
    static final int MI_UINT16 = 4;
    static final int MI_INT32 = 5;
    static final int MI_UINT32 = 6;
    static final int MI_SINGLE = 7;
    static final int MI_DOUBLE = 9;
    static final int MI_INT64 = 12;
    static final int MI_UINT64 = 13;
    static final int MI_MATRIX = 14;
    static final int MI_COMPRESSED = 15;

    /** A numeric array: column-major values in {@code bytes} (uint8 storage) or {@code doubles}. */
    record Array(String name, int[] dims, byte[] bytes, double[] doubles) {

        int length() {
            return bytes != null ? bytes.length : doubles.length;
        }

        double get(int i) {
            return bytes != null ? bytes[i] & 0xFF : doubles[i];
        }
    }

    private final String file;
    private final Map<String, Array> arrays = new LinkedHashMap<>();

    private MatV5(String file) {
        this.file = file;
    }

    static Map<String, Array> read(Path path) {
        return parse(path.getFileName().toString(), DataFiles.read(path));
    }

    static Map<String, Array> parse(String file, byte[] data) {
        MatV5 m = new MatV5(file);
        if (data.length < 128) {
            throw new IllegalStateException(file + ": ends at byte " + data.length + ", expected a 128-byte MAT-file header");
        }
        ByteOrder order;
        if (data[126] == 'I' && data[127] == 'M') {
            order = ByteOrder.LITTLE_ENDIAN;
        } else if (data[126] == 'M' && data[127] == 'I') {
            order = ByteOrder.BIG_ENDIAN;
        } else {
            String text = new String(data, 0, 10, StandardCharsets.ISO_8859_1);
            throw new IllegalStateException(file + ": endian indicator at offset 126 is 0x" + String.format("%02X%02X", data[126], data[127])
                    + ", expected \"IM\" or \"MI\" (a MATLAB 5.0 MAT-file)" + (text.startsWith("MATLAB 7.3") || text.contains("HDF")
                    ? "; this looks like a v7.3 (HDF5) file: re-save it in MATLAB with -v7" : ""));
        }
        ByteBuffer b = ByteBuffer.wrap(data).order(order);
        int version = b.getShort(124) & 0xFFFF;
        if (version != 0x0100) {
            throw new IllegalStateException(String.format("%s: version at offset 124 is 0x%04X, expected 0x0100 (MAT-file level 5)", file, version));
        }
        int p = 128;
        while (p < data.length) {
            p = m.element(b, p, data.length, "", true);
        }
        return m.arrays;
    }

    /** Parses the element at {@code p}; returns the offset after it. {@code where} prefixes offsets inside inflated data. */
    private int element(ByteBuffer b, int p, int limit, String where, boolean topLevel) {
        if (p + 8 > limit) {
            throw new IllegalStateException(file + ": " + where + "ends at byte " + limit + ", expected an 8-byte element tag at offset " + p);
        }
        int type = b.getInt(p);
        long nbytes = b.getInt(p + 4) & 0xFFFFFFFFL;
        if (p + 8 + nbytes > limit) {
            throw new IllegalStateException(file + ": " + where + "element of type " + type + " at offset " + p + " needs " + nbytes
                    + " bytes, but the data ends at byte " + limit + " (expected " + (p + 8 + nbytes) + "; the file is truncated)");
        }
        int start = p + 8;
        int end = (int) (start + nbytes);
        if (type == MI_COMPRESSED) {
            byte[] inflated = inflate(b, start, (int) nbytes, where + "compressed element at offset " + p);
            ByteBuffer ib = ByteBuffer.wrap(inflated).order(b.order());
            element(ib, 0, inflated.length, where + "compressed element at offset " + p + ", inflated ", false);
            return end;
        }
        if (type == MI_MATRIX) {
            matrix(b, start, end, where + "matrix at offset " + p + ": ");
        } else if (topLevel) {
            throw new IllegalStateException(file + ": " + where + "element at offset " + p + " has type " + type
                    + ", expected miMATRIX (14) or miCOMPRESSED (15)");
        }
        return start + pad8(nbytes);
    }

    private static int pad8(long n) {
        return (int) ((n + 7) & ~7L);
    }

    private byte[] inflate(ByteBuffer b, int start, int length, String what) {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(b.array(), start, length);
            byte[] tag = new byte[8];
            if (inflater.inflate(tag) != 8) {
                throw new IllegalStateException(file + ": " + what + " inflates to fewer than 8 bytes, expected an element tag");
            }
            ByteBuffer t = ByteBuffer.wrap(tag).order(b.order());
            long inner = t.getInt(4) & 0xFFFFFFFFL;
            if (8 + inner > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException(file + ": " + what + " holds an element of " + inner + " bytes, too large");
            }
            byte[] out = new byte[8 + pad8(inner)];
            System.arraycopy(tag, 0, out, 0, 8);
            int n = 8;
            while (n < 8 + inner && !inflater.finished()) {
                int k = inflater.inflate(out, n, out.length - n);
                if (k == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                n += k;
            }
            if (n < 8 + inner) {
                throw new IllegalStateException(file + ": " + what + " inflates to " + n + " bytes, expected " + (8 + inner)
                        + " (the compressed data is truncated or corrupt)");
            }
            return out;
        } catch (DataFormatException e) {
            throw new IllegalStateException(file + ": " + what + " is not valid zlib data (" + e.getMessage() + ")", e);
        } finally {
            inflater.end();
        }
    }

    private record Sub(int type, int start, int length, int next) {
    }

    private Sub sub(ByteBuffer b, int p, int end, String where, String expected) {
        if (p + 8 > end) {
            throw new IllegalStateException(file + ": " + where + "ends at offset " + end + ", expected " + expected + " at offset " + p);
        }
        int word = b.getInt(p);
        if ((word >>> 16) != 0) { // small data element: 2-byte length, 2-byte type, up to 4 data bytes
            return new Sub(word & 0xFFFF, p + 4, word >>> 16, p + 8);
        }
        int n = b.getInt(p + 4);
        if (n < 0 || p + 8L + n > end) {
            throw new IllegalStateException(file + ": " + where + expected + " at offset " + p + " needs " + n + " bytes, but the matrix ends at offset " + end);
        }
        return new Sub(word, p + 8, n, p + 8 + pad8(n));
    }

    private void matrix(ByteBuffer b, int p, int end, String where) {
        if (p == end) {
            return; // empty matrix
        }
        Sub flags = sub(b, p, end, where, "array flags");
        int matClass = b.getInt(flags.start) & 0xFF;
        boolean complex = (b.getInt(flags.start) & 0x800) != 0;
        Sub dimsEl = sub(b, flags.next, end, where, "dimensions");
        int[] dims = new int[dimsEl.length / 4];
        long count = 1;
        for (int i = 0; i < dims.length; i++) {
            dims[i] = b.getInt(dimsEl.start + 4 * i);
            count *= dims[i];
        }
        Sub nameEl = sub(b, dimsEl.next, end, where, "array name");
        String name = new String(b.array(), nameEl.start, nameEl.length, StandardCharsets.UTF_8);
        if (matClass < 6 || matClass > 15 || complex) {
            return; // cell, struct, object, char, sparse or complex: not numeric data we read
        }
        Sub real = sub(b, nameEl.next, end, where + "array \"" + name + "\": ", "real part");
        int width = width(real.type);
        if (width == 0) {
            throw new IllegalStateException(file + ": " + where + "array \"" + name + "\" stores data of type " + real.type
                    + ", expected a numeric type");
        }
        if ((long) real.length != count * width) {
            throw new IllegalStateException(file + ": " + where + "array \"" + name + "\" of " + Arrays.toString(dims) + " has " + real.length
                    + " data bytes at offset " + real.start + ", expected " + count * width);
        }
        if (real.type == MI_UINT8) {
            arrays.put(name, new Array(name, dims, Arrays.copyOfRange(b.array(), real.start, real.start + real.length), null));
            return;
        }
        double[] values = new double[(int) count];
        for (int i = 0; i < values.length; i++) {
            int q = real.start + i * width;
            values[i] = switch (real.type) {
                case MI_INT8 -> b.get(q);
                case MI_INT16 -> b.getShort(q);
                case MI_UINT16 -> b.getShort(q) & 0xFFFF;
                case MI_INT32 -> b.getInt(q);
                case MI_UINT32 -> b.getInt(q) & 0xFFFFFFFFL;
                case MI_SINGLE -> b.getFloat(q);
                case MI_DOUBLE -> b.getDouble(q);
                case MI_INT64, MI_UINT64 -> b.getLong(q);
                default -> throw new AssertionError(real.type);
            };
        }
        arrays.put(name, new Array(name, dims, null, values));
    }

    private static int width(int type) {
        return switch (type) {
            case MI_INT8, MI_UINT8 -> 1;
            case MI_INT16, MI_UINT16 -> 2;
            case MI_INT32, MI_UINT32, MI_SINGLE -> 4;
            case MI_DOUBLE, MI_INT64, MI_UINT64 -> 8;
            default -> 0;
        };
    }
}
