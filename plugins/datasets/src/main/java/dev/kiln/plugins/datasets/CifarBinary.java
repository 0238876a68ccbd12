package dev.kiln.plugins.datasets;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The CIFAR "binary version": fixed-size records of {@code labelBytes} label bytes then 3,072 pixel
 * bytes (1,024 red, 1,024 green, 1,024 blue, each 32×32 row-major) — already CHW.
 */
final class CifarBinary {

    static final int PIXELS = 3 * 32 * 32;

    private CifarBinary() {
    }

    /**
     * Reads the records of several files into one set of examples, taking label byte {@code labelIndex}
     * of each record's {@code labelBytes} (CIFAR-10: 1 byte; CIFAR-100: coarse then fine).
     */
    static Examples read(List<Path> files, int labelBytes, int labelIndex, int classes) {
        int record = labelBytes + PIXELS;
        List<byte[]> contents = new ArrayList<>();
        long total = 0;
        for (Path f : files) {
            byte[] data = DataFiles.read(f);
            if (data.length % record != 0 || data.length == 0) {
                long whole = data.length / record;
                throw new IllegalStateException(f.getFileName() + ": ends at byte " + data.length + ", expected a whole number of "
                        + record + "-byte records (" + labelBytes + " label byte" + (labelBytes > 1 ? "s" : "") + " + 3072 pixels); record "
                        + whole + " at offset " + whole * record + " is truncated");
            }
            contents.add(data);
            total += data.length / record;
        }
        byte[] pixels = new byte[Math.toIntExact(total * PIXELS)];
        int[] labels = new int[(int) total];
        int n = 0;
        for (int k = 0; k < contents.size(); k++) {
            byte[] data = contents.get(k);
            for (int off = 0; off < data.length; off += record, n++) {
                int label = data[off + labelIndex] & 0xFF;
                if (label >= classes) {
                    throw new IllegalStateException(files.get(k).getFileName() + ": label at offset " + (off + labelIndex) + " is "
                            + label + ", expected 0.." + (classes - 1) + " (is this the right CIFAR variant?)");
                }
                labels[n] = label;
                System.arraycopy(data, off + labelBytes, pixels, n * PIXELS, PIXELS);
            }
        }
        return Examples.ofBytes(pixels, labels, PIXELS);
    }

    /** Class names from a text file of one name per line when present, else {@code fallback}. */
    static List<String> names(Path file, List<String> fallback, int classes) {
        try {
            if (Files.isRegularFile(file)) {
                List<String> names = Files.readAllLines(file).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
                if (names.size() == classes) {
                    return names;
                }
            }
        } catch (java.io.IOException e) {
            // fall back to the built-in names
        }
        if (fallback.size() == classes) {
            return fallback;
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < classes; i++) {
            out.add(String.valueOf(i));
        }
        return out;
    }
}
