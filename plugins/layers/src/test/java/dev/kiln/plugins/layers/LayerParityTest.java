package dev.kiln.plugins.layers;

import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.Parameter;
import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.MemoryScope;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;
import dev.kiln.engine.Engine;
import dev.kiln.engine.io.Safetensors;
import dev.kiln.engine.io.SafetensorsFile;
import dev.kiln.engine.io.StoredTensor;
import dev.kiln.model.BuildContext;
import dev.kiln.model.MapParams;
import dev.kiln.model.StepContext;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replays the fixtures of {@code tools/fixtures/make_layer_fixtures.py}: each builds a Kiln layer in float64 with
 * the fixture's hyper-parameters, assigns PyTorch's parameter and buffer values, runs forward in the fixture's mode
 * and backward with its {@code gy}, and compares the output, the input and parameter gradients, and the buffers after
 * the step with {@code |actual - expected| <= 1e-9 + 1e-7·|expected|}.
 */
class LayerParityTest {

    private static final String DIR = "fixtures/layers/";
    private static final double ATOL = 1e-9;
    private static final double RTOL = 1e-7;

    private final Tensors t = Engine.reference();

    @Test
    void layersMatchPyTorchForwardAndBackward() throws IOException {
        List<String> names = new String(open(DIR + "INDEX").readAllBytes(), StandardCharsets.UTF_8).lines()
                .filter(l -> !l.isBlank()).map(l -> l.replace(".safetensors", "")).toList();
        List<String> failures = new ArrayList<>();
        for (String name : names) {
            List<String> mismatches = run(name);
            System.out.println((mismatches.isEmpty() ? "ok   " : "FAIL ") + name + (mismatches.isEmpty() ? "" : ": " + mismatches));
            if (!mismatches.isEmpty()) {
                failures.add(name + ": " + mismatches);
            }
        }
        System.out.println("pytorch parity: " + (names.size() - failures.size()) + "/" + names.size() + " layer cases passed");
        assertTrue(names.size() >= 20, "expected the fixtures of make_layer_fixtures.py, found " + names);
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    private List<String> run(String name) throws IOException {
        SafetensorsFile f;
        try (InputStream in = open(DIR + name + ".safetensors")) {
            f = Safetensors.read(in, name);
        }
        List<String> mismatches = new ArrayList<>();
        Map<String, Object> params = new LinkedHashMap<>();
        f.metadata().forEach((k, v) -> {
            if (k.startsWith("p.")) {
                params.put(k.substring(2), parse(v));
            }
        });
        StoredTensor xs = f.tensor("x");
        int[] example = Arrays.copyOfRange(xs.shape(), 1, xs.shape().length);
        Layer layer = BuildContext.build(f.metadata("plugin"), new MapParams(name, params),
                new BuildContext(t, t.generator(1), DType.FLOAT64, "net", example, LayerPlugins.source()));
        for (Parameter p : layer.parameters()) {
            p.value().assign(tensor(f.tensor("param." + local(p.name()))));
        }
        layer.buffers().forEach((n, b) -> b.assign(tensor(f.tensor("buffer." + local(n)))));
        try (MemoryScope scope = t.scope()) {
            boolean indices = xs.dtype() == DType.INT64;
            Tensor x = indices ? t.of(xs.toLongArray(), xs.shape()) : tensor(xs).requiresGrad(true);
            Tensor y = layer.forward(x, new StepContext(t, f.metadata("mode").equals("train"), t.generator(1)));
            compare("y", f.tensor("y"), y, mismatches);
            y.backward(tensor(f.tensor("gy")));
            if (!indices) {
                compare("gx", f.tensor("gx"), x.grad(), mismatches);
            }
            for (Parameter p : layer.parameters()) {
                compare("grad." + local(p.name()), f.tensor("grad." + local(p.name())), p.grad(), mismatches);
            }
            layer.buffers().forEach((n, b) -> compare("after." + local(n), f.tensor("after." + local(n)), b, mismatches));
        } catch (RuntimeException e) {
            mismatches.add("threw " + e);
        }
        return mismatches;
    }

    private static String local(String name) {
        return name.substring("net.".length());
    }

    private Tensor tensor(StoredTensor s) {
        return t.of(s.toDoubleArray(), s.shape());
    }

    private static void compare(String what, StoredTensor expected, Tensor actual, List<String> mismatches) {
        if (actual == null) {
            mismatches.add(what + ": missing (no gradient)");
            return;
        }
        if (!Arrays.equals(expected.shape(), actual.shape())) {
            mismatches.add(what + ": shape " + Arrays.toString(actual.shape()) + ", expected " + Arrays.toString(expected.shape()));
            return;
        }
        double[] e = expected.toDoubleArray();
        double[] a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            if (!(Math.abs(a[i] - e[i]) <= ATOL + RTOL * Math.abs(e[i]))) {
                mismatches.add(what + "[" + i + "]: " + a[i] + ", expected " + e[i]);
                return;
            }
        }
    }

    /** The JSON scalars and integer lists the fixture script writes. */
    private static Object parse(String json) {
        if (json.startsWith("[")) {
            return Arrays.stream(json.substring(1, json.length() - 1).split(",")).map(s -> (Object) Integer.parseInt(s.strip())).toList();
        }
        if (json.startsWith("\"")) {
            return json.substring(1, json.length() - 1);
        }
        if (json.equals("true") || json.equals("false")) {
            return Boolean.parseBoolean(json);
        }
        return json.matches("-?\\d+") ? (Object) Integer.parseInt(json) : (Object) Double.parseDouble(json);
    }

    private static InputStream open(String resource) throws IOException {
        InputStream in = LayerParityTest.class.getClassLoader().getResourceAsStream(resource);
        if (in == null) {
            throw new IOException("missing test resource " + resource + "; run tools/fixtures/make_layer_fixtures.py");
        }
        return in;
    }
}
