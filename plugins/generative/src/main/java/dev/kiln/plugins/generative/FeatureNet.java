package dev.kiln.plugins.generative;

import dev.kiln.api.tensor.Conv2dOptions;
import dev.kiln.api.tensor.Pool2dOptions;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Fashion-MNIST feature network of the Fréchet distance: the classifier trained by
 * {@code experiments/fashion-features.yaml}, its weights read from this bundle's {@code fashion-features.safetensors}
 * (that run's {@code model.safetensors}) and its layers written as tensor ops, so the bundle needs no other plugin:
 * <pre>
 * (x − 0.2860) / 0.3530 → conv5×5-16 (pad 2) → relu → maxpool 2 → conv5×5-32 → relu → maxpool 2 → flatten (800)
 *   → linear 128 → relu  = the 128 features  → linear 10 = class logits
 * </pre>
 * Input: images {@code (N, 1, 28, 28)} (or {@code (N, 28, 28)}, {@code (N, 784)}) with pixels in [0, 1], the
 * dataset's raw scale; the network normalises them itself, as the spec's transform did in training. Loaded once per
 * class loader and immutable; tensors are made on the caller's backend, inside the caller's memory scope.
 */
final class FeatureNet {

    static final String RESOURCE = "fashion-features.safetensors";
    static final double MEAN = 0.2860, STD = 0.3530;
    static final int FEATURES = 128, CLASSES = 10;

    private static final Map<String, int[]> SHAPES = shapes();
    private static volatile FeatureNet shared;

    private final Map<String, float[]> weights;

    private FeatureNet(Map<String, float[]> weights) {
        this.weights = weights;
    }

    private static Map<String, int[]> shapes() {
        Map<String, int[]> m = new LinkedHashMap<>();
        m.put("0.weight", new int[] {16, 1, 5, 5});
        m.put("0.bias", new int[] {16});
        m.put("3.weight", new int[] {32, 16, 5, 5});
        m.put("3.bias", new int[] {32});
        m.put("7.weight", new int[] {FEATURES, 800});
        m.put("7.bias", new int[] {FEATURES});
        m.put("9.weight", new int[] {CLASSES, FEATURES});
        m.put("9.bias", new int[] {CLASSES});
        return m;
    }

    /** The committed network, read from the bundle on first use. */
    static FeatureNet load() {
        FeatureNet f = shared;
        if (f == null) {
            synchronized (FeatureNet.class) {
                f = shared;
                if (f == null) {
                    try (InputStream in = FeatureNet.class.getResourceAsStream(RESOURCE)) {
                        if (in == null) {
                            throw new IllegalStateException("the generative bundle lacks its resource " + RESOURCE);
                        }
                        f = new FeatureNet(read(in.readAllBytes(), RESOURCE));
                    } catch (IOException e) {
                        throw new UncheckedIOException("reading " + RESOURCE + ": " + e.getMessage(), e);
                    }
                    shared = f;
                }
            }
        }
        return f;
    }

    /** The 128 penultimate features of images in [0, 1]: {@code (N, 128)}. */
    Tensor features(Tensors t, Tensor images) {
        Tensor x = images.reshape(images.size(0), 1, 28, 28).sub(MEAN).div(STD);
        x = x.conv2d(w(t, "0.weight"), w(t, "0.bias"), Conv2dOptions.of(1, 2)).relu().maxPool2d(Pool2dOptions.of(2)).values();
        x = x.conv2d(w(t, "3.weight"), w(t, "3.bias"), Conv2dOptions.DEFAULT).relu().maxPool2d(Pool2dOptions.of(2)).values();
        return x.reshape(x.size(0), 800).linear(w(t, "7.weight"), w(t, "7.bias")).relu();
    }

    /** Class logits {@code (N, 10)} from features. */
    Tensor logits(Tensors t, Tensor features) {
        return features.linear(w(t, "9.weight"), w(t, "9.bias"));
    }

    private Tensor w(Tensors t, String name) {
        return t.of(weights.get(name), SHAPES.get(name));
    }

    /** The tensors of a safetensors file (F32 only), checked against the architecture above. */
    static Map<String, float[]> read(byte[] file, String source) throws IOException {
        if (file.length < 8) {
            throw new IOException(source + ": " + file.length + " bytes, shorter than the 8-byte header length");
        }
        long n = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (n < 2 || n > file.length - 8) {
            throw new IOException(source + ": header length " + n + " does not fit a file of " + file.length + " bytes");
        }
        Object header = new Json(new String(file, 8, (int) n, StandardCharsets.UTF_8), source).value();
        if (!(header instanceof Map<?, ?> entries)) {
            throw new IOException(source + ": the header is not a JSON object");
        }
        int base = 8 + (int) n;
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : SHAPES.entrySet()) {
            String name = e.getKey();
            if (!(entries.get(name) instanceof Map<?, ?> info)) {
                throw new IOException(source + ": no tensor \"" + name + "\" (has " + entries.keySet() + ")");
            }
            if (!"F32".equals(info.get("dtype"))) {
                throw new IOException(source + ": tensor \"" + name + "\" has dtype " + info.get("dtype") + ", expected F32");
            }
            int[] shape = ints(info.get("shape"));
            if (!Arrays.equals(shape, e.getValue())) {
                throw new IOException(source + ": tensor \"" + name + "\" has shape " + Arrays.toString(shape) + ", expected "
                        + Arrays.toString(e.getValue()));
            }
            int[] offsets = ints(info.get("data_offsets"));
            int count = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            if (offsets.length != 2 || offsets[1] - offsets[0] != 4 * count || offsets[0] < 0 || base + (long) offsets[1] > file.length) {
                throw new IOException(source + ": tensor \"" + name + "\" has data_offsets " + Arrays.toString(offsets)
                        + ", expected " + 4 * count + " bytes within the file");
            }
            float[] v = new float[count];
            ByteBuffer.wrap(file, base + offsets[0], 4 * count).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
            out.put(name, v);
        }
        return out;
    }

    private static int[] ints(Object list) throws IOException {
        if (!(list instanceof List<?> l)) {
            throw new IOException("expected a JSON array of integers, got " + list);
        }
        int[] out = new int[l.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(l.get(i) instanceof Double d) || d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
                throw new IOException("expected an integer, got " + l.get(i));
            }
            out[i] = d.intValue();
        }
        return out;
    }

    /** Just enough JSON for a safetensors header: objects, arrays, strings, numbers (as doubles), literals. */
    private static final class Json {
        private final String s;
        private final String source;
        private int i;

        Json(String s, String source) {
            this.s = s;
            this.source = source;
        }

        Object value() throws IOException {
            skip();
            if (i >= s.length()) {
                throw error("a value");
            }
            char c = s.charAt(i);
            if (c == '{') {
                i++;
                Map<String, Object> m = new LinkedHashMap<>();
                skip();
                if (peek('}')) {
                    return m;
                }
                do {
                    skip();
                    String k = string();
                    skip();
                    expect(':');
                    m.put(k, value());
                    skip();
                } while (peek(','));
                expect('}');
                return m;
            }
            if (c == '[') {
                i++;
                List<Object> l = new ArrayList<>();
                skip();
                if (peek(']')) {
                    return l;
                }
                do {
                    l.add(value());
                    skip();
                } while (peek(','));
                expect(']');
                return l;
            }
            if (c == '"') {
                return string();
            }
            for (String lit : List.of("true", "false", "null")) {
                if (s.startsWith(lit, i)) {
                    i += lit.length();
                    return lit.equals("null") ? null : Boolean.valueOf(lit);
                }
            }
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            try {
                return Double.parseDouble(s.substring(start, i));
            } catch (NumberFormatException e) {
                i = start;
                throw error("a value");
            }
        }

        private String string() throws IOException {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (i < s.length() && s.charAt(i) != '"') {
                char c = s.charAt(i++);
                if (c == '\\' && i < s.length()) {
                    char e = s.charAt(i++);
                    switch (e) {
                        case 'n' -> b.append('\n');
                        case 't' -> b.append('\t');
                        case 'r' -> b.append('\r');
                        case 'b' -> b.append('\b');
                        case 'f' -> b.append('\f');
                        case 'u' -> {
                            if (i + 4 > s.length()) {
                                throw error("four hex digits");
                            }
                            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                            i += 4;
                        }
                        default -> b.append(e);
                    }
                } else {
                    b.append(c);
                }
            }
            expect('"');
            return b.toString();
        }

        private void skip() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private boolean peek(char c) {
            if (i < s.length() && s.charAt(i) == c) {
                i++;
                return true;
            }
            return false;
        }

        private void expect(char c) throws IOException {
            if (!peek(c)) {
                throw error("'" + c + "'");
            }
        }

        private IOException error(String expected) {
            return new IOException(source + ": header JSON: expected " + expected + " at character " + i);
        }
    }
}
