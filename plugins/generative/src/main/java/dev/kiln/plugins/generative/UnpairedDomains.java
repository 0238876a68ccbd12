package dev.kiln.plugins.generative;

import dev.kiln.api.data.Dataset;
import dev.kiln.api.data.DatasetInfo;
import dev.kiln.api.data.Split;
import dev.kiln.api.tensor.Generator;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;
import dev.kiln.plugins.generative.CycleGanTrainerFactory.Domain;
import dev.kiln.plugins.generative.CycleGanTrainerFactory.Transform;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Two image domains cut out of one labelled dataset by class (and optionally transformed), for unpaired translation.
 * An example of a split belongs to X when its class is among X's classes, to Y when among Y's; when among both, the
 * first, third, fifth, ... example of that class go to X and the others to Y, so that no image is in both domains. Training batches of each
 * domain follow that domain's own permutation per epoch (seeded by the run's seed, the epoch and the domain), so X
 * and Y batches are drawn independently, and batch {@code b} of epoch {@code e} is the same whenever it is asked for
 * (resume needs only the cursor). Transforms act in the data's value range {@code [lo, hi]} (the minimum and maximum
 * over the training split as the dataset serves it, so after its normalisation): {@code invert} is
 * {@code lo + hi - v}.
 */
final class UnpairedDomains {

    static final int X = 0;
    static final int Y = 1;

    private final Dataset data;
    private final Transform[] transforms;
    private final int[][] train;
    private final int[][] test;
    private final int channels, height, width;
    private final float lo, hi;
    private final long seed;
    private final int[][] orders = new int[2][];
    private final Generator testNoise;
    private final int[] orderEpoch = {-1, -1};

    private UnpairedDomains(Dataset data, Transform[] transforms, int[][] train, int[][] test, float lo, float hi, long seed,
                            Generator testNoise) {
        this.data = data;
        this.transforms = transforms;
        this.train = train;
        this.test = test;
        int[] s = data.info().exampleShape();
        this.channels = s[0];
        this.height = s[1];
        this.width = s[2];
        this.lo = lo;
        this.hi = hi;
        this.seed = seed;
        this.testNoise = testNoise;
    }

    /** Scans both splits for the domains' classes (reading every example once) and the training split's value range. */
    static UnpairedDomains build(Dataset data, Domain x, Domain y, long seed, Tensors tensors) {
        DatasetInfo info = data.info();
        int[] shape = info.exampleShape();
        if (shape.length != 3) {
            throw new IllegalArgumentException("the cyclegan trainer translates images (C, H, W), but " + info.name()
                    + " examples are shaped " + Arrays.toString(shape) + "; use an image dataset such as fashion-mnist");
        }
        if (info.classes() == 0) {
            throw new IllegalArgumentException(x.path() + ".classes: " + info.name() + " has no class labels to cut domains by;"
                    + " use a labelled dataset such as fashion-mnist");
        }
        boolean[] inX = classSet(x, info);
        boolean[] inY = classSet(y, info);
        if (Arrays.equals(inX, inY) && x.transform() == y.transform()) {
            throw new IllegalArgumentException(y.path() + ": domain_x and domain_y are the same images (classes " + names(inX, info)
                    + ", transform " + x.transform().id() + "); give domain_y other classes or a transform such as invert");
        }
        for (Domain d : List.of(x, y)) {
            boolean rotates = d.transform() == Transform.ROTATE90 || d.transform() == Transform.ROTATE270;
            if (rotates && shape[1] != shape[2]) {
                throw new IllegalArgumentException(d.path() + ".transform: " + d.transform().id() + " needs square images, but "
                        + info.name() + " images are " + shape[1] + "×" + shape[2] + "; use rotate180 or a flip");
            }
        }
        Generator scanNoise = tensors.generator(seed);
        float[] buf = new float[info.exampleSize()];
        float[] range = {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        int[][] train = scan(data, Split.TRAIN, inX, inY, buf, scanNoise, range);
        int[][] test = scan(data, Split.TEST, inX, inY, buf, scanNoise, null);
        if (!(range[1] > range[0])) {
            throw new IllegalArgumentException("the training images of " + info.name() + " are constant (" + range[0]
                    + "); nothing to translate");
        }
        String[] names = {"domain_x", "domain_y"};
        Domain[] domains = {x, y};
        for (int d = 0; d < 2; d++) {
            if (train[d].length == 0 || test[d].length == 0) {
                throw new IllegalArgumentException(domains[d].path() + ": " + names[d] + " (classes " + names(d == X ? inX : inY, info)
                        + ") has " + train[d].length + " training and " + test[d].length + " test images; name classes present in"
                        + " the data or raise trainer.max_train_examples / max_eval_examples");
            }
        }
        return new UnpairedDomains(data, new Transform[] {x.transform(), y.transform()}, train, test, range[0], range[1], seed,
                scanNoise);
    }

    /** Classes written as names (case-insensitive; a plural "s" is forgiven) or indices, as a membership mask. */
    static boolean[] classSet(Domain d, DatasetInfo info) {
        List<String> names = info.classNames();
        boolean[] in = new boolean[names.size()];
        for (String c : d.classes()) {
            int k = classIndex(c, names);
            if (k < 0) {
                String hint = closest(c, names);
                throw new IllegalArgumentException(d.path() + ".classes: \"" + c + "\" is not a class of " + info.name()
                        + (hint == null ? "" : "; did you mean \"" + hint + "\"?") + " (classes: " + names + ", or indices 0 to "
                        + (names.size() - 1) + ")");
            }
            in[k] = true;
        }
        return in;
    }

    private static int classIndex(String c, List<String> names) {
        String want = c.strip().toLowerCase(Locale.ROOT);
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i).toLowerCase(Locale.ROOT);
            if (n.equals(want) || (n + "s").equals(want)) {
                return i;
            }
        }
        if (want.matches("\\d+")) {
            int i = Integer.parseInt(want);
            return i < names.size() ? i : -1;
        }
        return -1;
    }

    private static String closest(String c, List<String> names) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String n : names) {
            int dist = distance(c.toLowerCase(Locale.ROOT), n.toLowerCase(Locale.ROOT));
            if (dist < bestDistance) {
                bestDistance = dist;
                best = n;
            }
        }
        return bestDistance <= Math.max(2, c.length() / 3) ? best : null;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] tmp = prev;
            prev = cur;
            cur = tmp;
        }
        return prev[b.length()];
    }

    private static List<String> names(boolean[] in, DatasetInfo info) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < in.length; i++) {
            if (in[i]) {
                out.add(info.classNames().get(i));
            }
        }
        return out;
    }

    private static int[][] scan(Dataset data, Split split, boolean[] inX, boolean[] inY, float[] buf, Generator noise, float[] range) {
        List<Integer> xs = new ArrayList<>();
        List<Integer> ys = new ArrayList<>();
        int n = data.size(split);
        int[] seen = new int[inX.length];
        for (int i = 0; i < n; i++) {
            int label = data.read(split, i, buf, 0, noise);
            if (range != null) {
                for (float v : buf) {
                    range[0] = Math.min(range[0], v);
                    range[1] = Math.max(range[1], v);
                }
            }
            boolean x = label >= 0 && label < inX.length && inX[label];
            boolean y = label >= 0 && label < inY.length && inY[label];
            if (x && y) {
                (seen[label]++ % 2 == 0 ? xs : ys).add(i);
            } else if (x) {
                xs.add(i);
            } else if (y) {
                ys.add(i);
            }
        }
        return new int[][] {xs.stream().mapToInt(Integer::intValue).toArray(), ys.stream().mapToInt(Integer::intValue).toArray()};
    }

    int trainSize(int domain) {
        return train[domain].length;
    }

    int testSize(int domain) {
        return test[domain].length;
    }

    /** Full batches per epoch: the smaller domain's training images divided by the batch size. */
    int batchesPerEpoch(int batchSize) {
        return Math.min(train[X].length, train[Y].length) / batchSize;
    }

    /** The domain's training order in an epoch: a permutation seeded by the run's seed, the epoch and the domain. */
    private int[] order(int domain, int epoch) {
        if (orderEpoch[domain] != epoch) {
            int[] o = train[domain].clone();
            SplittableRandom r = new SplittableRandom(seed * 1_000_003L + 2L * epoch + domain);
            for (int i = o.length - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int tmp = o[i];
                o[i] = o[j];
                o[j] = tmp;
            }
            orders[domain] = o;
            orderEpoch[domain] = epoch;
        }
        return orders[domain];
    }

    /** Training batch {@code batch} of an epoch of one domain, transformed; {@code augment} drives the dataset's augmentation. */
    Tensor trainBatch(int domain, int epoch, int batch, int batchSize, Generator augment, Tensors tensors) {
        int[] o = order(domain, epoch);
        return read(Split.TRAIN, domain, Arrays.copyOfRange(o, batch * batchSize, (batch + 1) * batchSize), augment, tensors);
    }

    /** Test images {@code [from, to)} of one domain, in the split's order, transformed. */
    Tensor testBatch(int domain, int from, int to, Tensors tensors) {
        return read(Split.TEST, domain, Arrays.copyOfRange(test[domain], from, Math.min(to, test[domain].length)), testNoise, tensors);
    }

    private Tensor read(Split split, int domain, int[] indices, Generator augment, Tensors tensors) {
        int size = channels * height * width;
        float[] out = new float[indices.length * size];
        float[] buf = new float[size];
        for (int k = 0; k < indices.length; k++) {
            data.read(split, indices[k], buf, 0, augment);
            transform(transforms[domain], buf, out, k * size);
        }
        return tensors.of(out, indices.length, channels, height, width);
    }

    private void transform(Transform t, float[] in, float[] out, int offset) {
        int plane = height * width;
        for (int c = 0; c < channels; c++) {
            int base = c * plane;
            for (int i = 0; i < height; i++) {
                for (int j = 0; j < width; j++) {
                    int src = switch (t) {
                        case NONE, INVERT -> i * width + j;
                        case ROTATE90 -> j * width + (width - 1 - i);
                        case ROTATE180 -> (height - 1 - i) * width + (width - 1 - j);
                        case ROTATE270 -> (height - 1 - j) * width + i;
                        case FLIP_HORIZONTAL -> i * width + (width - 1 - j);
                        case FLIP_VERTICAL -> (height - 1 - i) * width + j;
                    };
                    float v = in[base + src];
                    out[offset + base + i * width + j] = t == Transform.INVERT ? lo + hi - v : v;
                }
            }
        }
    }

    /** Images in the data's range as [0, 1], clamped: {@code (v - lo) / (hi - lo)}. */
    Tensor toUnit(Tensor v, Tensors tensors) {
        Tensor u = v.sub(lo).div(hi - lo);
        return u.maximum(tensors.scalar(0, u.dtype())).minimum(tensors.scalar(1, u.dtype()));
    }

    /** {@code hi - lo}: divides an error in the data's units into one in [0, 1] pixel units. */
    double range() {
        return (double) hi - lo;
    }
}
