package dev.kiln.plugins.datasets;

import dev.kiln.api.plugin.Params;
import dev.kiln.api.tensor.Generator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A dataset's transforms in spec order, e.g.
 * <pre>{@code
 * transforms:
 *   - {name: random_crop, params: {size: 28, padding: 2}}
 *   - {name: horizontal_flip}
 *   - {name: normalize, params: {mean: 0.2860, std: 0.3530}}
 * }</pre>
 * Targets are class indices; one-hot targets are made by the host's batch loader
 * ({@code BatchLoader.Builder.oneHot}), so {@code one_hot} is not a dataset transform.
 */
final class Pipeline {

    static final List<String> NAMES = List.of("normalize", "random_crop", "horizontal_flip", "rotation", "translation",
            "gaussian_noise", "masking");

    private final List<Transform> transforms;
    private final int[][] shapes; // shapes[i] = input shape of transform i; shapes[n] = output
    private final int maxSize;
    private final ThreadLocal<float[][]> scratch;

    Pipeline(List<Transform> transforms, int[] inputShape) {
        this.transforms = List.copyOf(transforms);
        shapes = new int[transforms.size() + 1][];
        shapes[0] = inputShape.clone();
        int max = Shapes.size(inputShape);
        for (int i = 0; i < transforms.size(); i++) {
            shapes[i + 1] = transforms.get(i).outputShape(shapes[i]);
            max = Math.max(max, Shapes.size(shapes[i + 1]));
        }
        maxSize = max;
        scratch = ThreadLocal.withInitial(() -> new float[][] {new float[maxSize], new float[maxSize]});
    }

    /** Reads the {@code transforms} list of a dataset's parameters. */
    static Pipeline parse(Params params, int[] inputShape) {
        List<Transform> out = new ArrayList<>();
        for (Params t : params.getParamsList("transforms")) {
            String name = t.getString("name");
            Params p = t.has("params") ? t.getParams("params") : null;
            out.add(create(t.path(), name, p));
        }
        return new Pipeline(out, inputShape);
    }

    private static Transform create(String path, String name, Params p) {
        try {
            return switch (name) {
                case "normalize" -> new Normalize(new float[] {(float) req(p, name, "mean")},
                        new float[] {(float) req(p, name, "std")});
                case "random_crop" -> {
                    int[] size = p == null ? null : p.getInts("size", 2);
                    if (size == null) {
                        throw new IllegalArgumentException("random_crop needs params: {size: ..., padding: ...}");
                    }
                    yield new RandomCrop(size[0], size[1], p.getInt("padding", 0));
                }
                case "horizontal_flip" -> new HorizontalFlip(p == null ? 0.5 : p.getDouble("p", 0.5));
                case "rotation" -> new Rotation(req(p, name, "degrees"));
                case "translation" -> new Translation((int) req(p, name, "max"));
                case "gaussian_noise" -> new GaussianNoise(req(p, name, "std"));
                case "masking" -> new Masking(p == null ? 0 : p.getDouble("p", 0), p == null ? 0 : p.getInt("size", 0));
                case "one_hot" -> throw new IllegalArgumentException("one_hot is a target transform and datasets return class"
                        + " indices; remove it here and ask the trainer/loader for one-hot targets (BatchLoader oneHot)");
                default -> throw new IllegalArgumentException("\"" + name + "\" is not a transform; known: " + NAMES);
            };
        } catch (IllegalArgumentException e) {
            throw e.getMessage().startsWith(path) ? e : new IllegalArgumentException(path + ": " + e.getMessage(), e);
        }
    }

    private static double req(Params p, String transform, String key) {
        if (p == null) {
            throw new IllegalArgumentException(transform + " needs params: {" + key + ": ...}");
        }
        return p.getDouble(key);
    }

    int[] outputShape() {
        return shapes[shapes.length - 1].clone();
    }

    int inputSize() {
        return Shapes.size(shapes[0]);
    }

    boolean isEmpty() {
        return transforms.isEmpty();
    }

    /** Whether any transform draws randomness. */
    boolean augments() {
        return transforms.stream().anyMatch(t -> t.augmenting() || t instanceof RandomCrop);
    }

    /** A thread-local buffer of at least {@link #inputSize()} floats for the raw example. */
    float[] input() {
        return scratch.get()[0];
    }

    /**
     * Runs the transforms over {@link #input()} and copies the result to {@code features[offset..]};
     * {@code generator} null turns augmentation off.
     */
    void run(float[] features, int offset, Generator generator) {
        float[][] buf = scratch.get();
        float[] in = buf[0];
        float[] out = buf[1];
        for (int i = 0; i < transforms.size(); i++) {
            Transform t = transforms.get(i);
            if (t.augmenting() && generator == null) {
                if (Arrays.equals(shapes[i], shapes[i + 1])) {
                    continue;
                }
            }
            t.apply(in, out, shapes[i], generator);
            float[] s = in;
            in = out;
            out = s;
        }
        System.arraycopy(in, 0, features, offset, Shapes.size(shapes[shapes.length - 1]));
    }

    @Override
    public String toString() {
        return transforms.toString();
    }
}
