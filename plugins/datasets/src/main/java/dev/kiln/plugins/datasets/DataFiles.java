package dev.kiln.plugins.datasets;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** Finding and reading dataset files, gzip-compressed or raw, with errors that name the file. */
final class DataFiles {

    private DataFiles() {
    }

    /** The names a located file may have: {@code x.gz} or {@code x}. */
    static String[] alternatives(String name) {
        return name.endsWith(".gz") ? new String[] {name, name.substring(0, name.length() - 3)}
                : new String[] {name, name + ".gz"};
    }

    /** {@code dir/name}, or its gzip/raw twin when only that exists. */
    static Path find(Path dir, String name) {
        for (String candidate : alternatives(name)) {
            Path p = dir.resolve(candidate);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        String[] alt = alternatives(name);
        throw new IllegalStateException(dir + " has neither " + alt[0] + " nor " + alt[1]);
    }

    /** The whole file, decompressed when it starts with the gzip magic bytes. */
    static byte[] read(Path file) {
        try (InputStream raw = Files.newInputStream(file)) {
            InputStream in = raw.markSupported() ? raw : new java.io.BufferedInputStream(raw, 1 << 16);
            in.mark(2);
            int b0 = in.read();
            int b1 = in.read();
            in.reset();
            if (b0 == 0x1f && b1 == 0x8b) {
                ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8, Files.size(file) * 3));
                try (GZIPInputStream gz = new GZIPInputStream(in, 1 << 16)) {
                    byte[] buf = new byte[1 << 16];
                    int n;
                    while ((n = gz.read(buf)) > 0) {
                        out.write(buf, 0, n);
                    }
                } catch (java.io.EOFException e) {
                    throw new UncheckedIOException(new IOException(file.getFileName() + ": gzip stream ends early after "
                            + out.size() + " decompressed bytes (the download is truncated; fetch it again)", e));
                } catch (ZipException e) {
                    throw new UncheckedIOException(new IOException(file.getFileName() + ": corrupt gzip data after "
                            + out.size() + " decompressed bytes (" + e.getMessage() + "); fetch the file again", e));
                }
                return out.toByteArray();
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage() != null && e.getMessage().startsWith(file.getFileName().toString())
                    ? e : new IOException(file + ": " + e.getMessage(), e));
        }
    }

    /** Big-endian unsigned 32-bit value at {@code offset}, or an error naming what was expected there. */
    static long u32be(String file, byte[] data, int offset, String what) {
        if (offset + 4 > data.length) {
            throw new IllegalStateException(file + ": ends at byte " + data.length + ", expected " + what + " at offset " + offset);
        }
        return ((data[offset] & 0xFFL) << 24) | ((data[offset + 1] & 0xFFL) << 16) | ((data[offset + 2] & 0xFFL) << 8)
                | (data[offset + 3] & 0xFFL);
    }
}
