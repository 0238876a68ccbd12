package dev.kiln.plugins.datasets;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * The IDX format of MNIST and Fashion-MNIST: a big-endian magic {@code 0x000008NN} (unsigned bytes,
 * {@code NN} dimensions), {@code NN} big-endian 32-bit sizes, then the bytes in row-major order.
 */
record Idx(int[] dims, byte[] data, int dataOffset) {

    /** Images: magic 0x00000803 and (count, rows, columns). */
    static final int IMAGES = 0x00000803;
    /** Labels: magic 0x00000801 and (count). */
    static final int LABELS = 0x00000801;

    /** Reads and checks an IDX file whose magic must be {@code magic}. */
    static Idx read(Path path, int magic) {
        return parse(path.getFileName().toString(), DataFiles.read(path), magic);
    }

    static Idx parse(String file, byte[] bytes, int magic) {
        int rank = magic & 0xFF;
        String kind = "IDX unsigned-byte " + rank + "-D";
        long found = DataFiles.u32be(file, bytes, 0, String.format("magic 0x%08X (%s)", magic, kind));
        if (found != magic) {
            throw new IllegalStateException(String.format("%s: magic at offset 0 is 0x%08X, expected 0x%08X (%s)%s",
                    file, found, magic, kind, (found & 0xFFFF0000L) != 0 ? "; the file may be compressed with something other than gzip, or not IDX" : ""));
        }
        int[] dims = new int[rank];
        long total = 1;
        StringBuilder formula = new StringBuilder().append(4 + 4 * rank);
        for (int i = 0; i < rank; i++) {
            long d = DataFiles.u32be(file, bytes, 4 + 4 * i, "dimension " + i + " (a 32-bit size)");
            if (d > Integer.MAX_VALUE) {
                throw new IllegalStateException(file + ": dimension " + i + " at offset " + (4 + 4 * i) + " is " + d + ", too large");
            }
            dims[i] = (int) d;
            total *= d;
            formula.append(i == 0 ? " + " : "×").append(d);
        }
        int header = 4 + 4 * rank;
        long expected = header + total;
        if (bytes.length < expected) {
            throw new IllegalStateException(file + ": ends at byte " + bytes.length + ", expected " + expected + " = " + formula
                    + " (the file is truncated; fetch it again)");
        }
        if (bytes.length > expected) {
            throw new IllegalStateException(file + ": has " + (bytes.length - expected) + " bytes after the data, which ends at byte "
                    + expected + " = " + formula);
        }
        return new Idx(dims, bytes, header);
    }

    int count() {
        return dims[0];
    }

    /** The data bytes without the header. */
    byte[] values() {
        return Arrays.copyOfRange(data, dataOffset, data.length);
    }

    /** Labels as ints, each checked to be below {@code classes}. */
    int[] labels(String file, int classes) {
        int[] out = new int[count()];
        for (int i = 0; i < out.length; i++) {
            int l = data[dataOffset + i] & 0xFF;
            if (l >= classes) {
                throw new IllegalStateException(file + ": label at offset " + (dataOffset + i) + " is " + l + ", expected 0.."
                        + (classes - 1));
            }
            out[i] = l;
        }
        return out;
    }
}
