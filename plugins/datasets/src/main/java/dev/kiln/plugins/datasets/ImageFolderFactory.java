package dev.kiln.plugins.datasets;

import dev.kiln.api.data.Dataset;
import dev.kiln.api.data.DatasetContext;
import dev.kiln.api.data.DatasetFactory;
import dev.kiln.api.plugin.Params;
import org.osgi.service.component.annotations.Component;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Images in a class-per-directory tree, read with ImageIO (PNG, JPEG, BMP, GIF):
 * {@code <dir>/train/<class>/*} and {@code <dir>/test/<class>/*}, or {@code <dir>/<class>/*} (all
 * training). The directory is found by name like any dataset ({@code --data}, {@code $KILN_DATA}, …).
 * Classes are the training sub-directories in sorted order. Parameters: {@code name} (required),
 * {@code size} ({@code [height, width]} or one number; default the first image's size; others are
 * resized bilinearly), {@code grayscale} (default false: 3 channels), {@code validation_fraction},
 * {@code transforms}.
 */
@Component(service = DatasetFactory.class, property = {"kiln.kind=dataset", "kiln.name=image-folder"})
public final class ImageFolderFactory implements DatasetFactory {

    @Override
    public Dataset create(Params params, DatasetContext context) {
        String name = params.getString("name");
        boolean gray = params.getBoolean("grayscale", false);
        int[] size = params.has("size") ? params.getInts("size", 2) : null;
        Path root = context.locate(name);
        boolean split = Files.isDirectory(root.resolve("train"));
        Path trainDir = split ? root.resolve("train") : root;
        List<String> classes = subdirectories(trainDir);
        if (classes.isEmpty()) {
            throw new IllegalStateException(trainDir + ": no class sub-directories; expected " + trainDir + "/<class>/<image>.png");
        }
        if (size == null) {
            size = firstImageSize(trainDir, classes);
        }
        if (size[0] < 1 || size[1] < 1) {
            throw new IllegalArgumentException(params.path() + ".size: expected positive height and width, got " + size[0] + "×" + size[1]);
        }
        int channels = gray ? 1 : 3;
        Examples train = read(trainDir, classes, size, gray);
        Examples test = split && Files.isDirectory(root.resolve("test")) ? read(root.resolve("test"), classes, size, gray)
                : Examples.empty(channels * size[0] * size[1]);
        return InMemoryDataset.create(name, new int[] {channels, size[0], size[1]}, classes, train, test, params, context.seed());
    }

    private static List<String> subdirectories(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Path> files(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int[] firstImageSize(Path dir, List<String> classes) {
        for (String c : classes) {
            for (Path f : files(dir.resolve(c))) {
                BufferedImage img = load(f);
                return new int[] {img.getHeight(), img.getWidth()};
            }
        }
        throw new IllegalStateException(dir + ": no images under its class directories");
    }

    private static BufferedImage load(Path f) {
        try {
            BufferedImage img = ImageIO.read(f.toFile());
            if (img == null) {
                throw new IllegalStateException(f + ": not an image ImageIO can read (expected PNG, JPEG, BMP or GIF)");
            }
            return img;
        } catch (IOException e) {
            throw new UncheckedIOException(new IOException(f + ": " + e.getMessage(), e));
        }
    }

    static Examples read(Path dir, List<String> classes, int[] size, boolean gray) {
        int h = size[0];
        int w = size[1];
        int channels = gray ? 1 : 3;
        int exampleSize = channels * h * w;
        List<byte[]> images = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (String c : subdirectories(dir)) {
            int label = classes.indexOf(c);
            if (label < 0) {
                throw new IllegalStateException(dir.resolve(c) + ": class \"" + c + "\" is not among the training classes " + classes);
            }
            for (Path f : files(dir.resolve(c))) {
                images.add(pixels(load(f), h, w, gray));
                labels.add(label);
            }
        }
        byte[] all = new byte[images.size() * exampleSize];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(images.get(i), 0, all, i * exampleSize, exampleSize);
        }
        return Examples.ofBytes(all, labels.stream().mapToInt(Integer::intValue).toArray(), exampleSize);
    }

    /** CHW bytes of the image resized to h×w; gray is the ITU-R 601 luma of RGB (or the gray samples themselves). */
    static byte[] pixels(BufferedImage img, int h, int w, boolean gray) {
        if (img.getHeight() != h || img.getWidth() != w) {
            BufferedImage scaled = new BufferedImage(w, h, img.getType() == BufferedImage.TYPE_BYTE_GRAY
                    ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
            Graphics2D g = scaled.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(img, 0, 0, w, h, null);
            g.dispose();
            img = scaled;
        }
        boolean sourceGray = img.getType() == BufferedImage.TYPE_BYTE_GRAY;
        int plane = h * w;
        byte[] out = new byte[(gray ? 1 : 3) * plane];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r;
                int gr;
                int b;
                if (sourceGray) { // the raw samples: getRGB would apply a colour-space conversion
                    r = gr = b = img.getRaster().getSample(x, y, 0);
                } else {
                    int rgb = img.getRGB(x, y);
                    r = (rgb >> 16) & 0xFF;
                    gr = (rgb >> 8) & 0xFF;
                    b = rgb & 0xFF;
                }
                int i = y * w + x;
                if (gray) {
                    out[i] = (byte) Math.round(0.299 * r + 0.587 * gr + 0.114 * b);
                } else {
                    out[i] = (byte) r;
                    out[plane + i] = (byte) gr;
                    out[2 * plane + i] = (byte) b;
                }
            }
        }
        return out;
    }
}
