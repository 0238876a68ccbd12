package dev.kiln.plugins.optimizers;

import dev.kiln.api.nn.Optimizer;
import dev.kiln.api.nn.OptimizerFactory;
import dev.kiln.api.nn.Parameter;
import dev.kiln.api.nn.ParameterGroup;
import dev.kiln.api.nn.Schedule;
import dev.kiln.api.nn.ScheduleFactory;
import dev.kiln.api.plugin.PluginKind;
import dev.kiln.api.tensor.MemoryScope;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.engine.Engine;
import dev.kiln.engine.io.Safetensors;
import dev.kiln.engine.io.SafetensorsFile;
import dev.kiln.engine.io.StoredTensor;
import dev.kiln.model.MapParams;
import dev.kiln.model.StaticPluginSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Replays PyTorch 1.13 trajectories (tools/fixtures/make_optimizer_fixtures.py): 20 steps of every
 * optimizer and option combination on one least-squares problem in float64; the parameters must equal
 * PyTorch's within 1e-6 after every step, and the scheduled learning rates within 1e-12.
 */
class OptimizerTrajectoryTest {

    private static final String DIR = "fixtures/optim/";
    private static final double TOLERANCE = 1e-6;
    private static final Set<String> PASSED = new TreeSet<>();
    private static final Set<String> FAILED = new TreeSet<>();

    private final StaticPluginSource plugins = OptimizerPlugins.source();

    @TestFactory
    Stream<DynamicTest> parametersFollowPyTorchAtEveryStep() {
        SafetensorsFile problem = read("problem");
        return caseNames().stream().map(name -> DynamicTest.dynamicTest(name, () -> {
            try {
                replay(name, problem, read(name));
                PASSED.add(name);
            } catch (AssertionError | RuntimeException e) {
                FAILED.add(name);
                throw e;
            }
        }));
    }

    @AfterAll
    static void printCounts() {
        System.out.println("PyTorch optimizer trajectories: " + PASSED.size() + "/" + (PASSED.size() + FAILED.size())
                + " cases passed " + PASSED + (FAILED.isEmpty() ? "" : "; FAILED " + FAILED));
    }

    private void replay(String name, SafetensorsFile problem, SafetensorsFile expected) {
        Map<String, String> meta = expected.metadata();
        Engine t = Engine.reference();
        Tensor x = tensor(t, problem.tensor("X"));
        Tensor y = tensor(t, problem.tensor("Y"));
        Parameter w = new Parameter("linear.weight", tensor(t, problem.tensor("W0")));
        Parameter b = new Parameter("linear.bias", tensor(t, problem.tensor("b0")));
        int groupCount = Integer.parseInt(meta.get("groups"));
        List<ParameterGroup> groups = groupCount == 1
                ? List.of(new ParameterGroup("all", List.of(w, b), MapParams.empty("optimizer.groups[0]")))
                : List.of(new ParameterGroup("weights", List.of(w), new MapParams("optimizer.groups[0]", section(meta, "group0."))),
                        new ParameterGroup("biases", List.of(b), new MapParams("optimizer.groups[1]", section(meta, "group1."))));
        MapParams params = new MapParams("optimizer.params", section(meta, "param."));
        Optimizer opt = plugins.factory(PluginKind.OPTIMIZER, meta.get("optimizer"), null, OptimizerFactory.class)
                .create(params, groups, t);
        params.requireAllRead(meta.get("optimizer"));
        Schedule schedule = null;
        Map<String, Object> scheduleSpec = section(meta, "schedule.");
        if (!scheduleSpec.isEmpty()) {
            MapParams sp = new MapParams("schedule.params", scheduleSpec);
            String scheduleName = (String) sp.getString("name");
            schedule = plugins.factory(PluginKind.SCHEDULE, scheduleName, null, ScheduleFactory.class).create(sp);
            sp.requireAllRead(scheduleName);
        }
        double[] base = new double[groupCount];
        for (int g = 0; g < groupCount; g++) {
            base[g] = opt.learningRate(g);
        }
        double[] lrs = expected.tensor("lr").toDoubleArray();
        double[] ws = expected.tensor("W").toDoubleArray();
        double[] bs = expected.tensor("b").toDoubleArray();
        int steps = expected.tensor("W").shape()[0];
        for (int step = 0; step < steps; step++) {
            for (int g = 0; g < groupCount; g++) {
                if (schedule != null) {
                    opt.setLearningRate(g, schedule.learningRate(base[g], step, step));
                }
                double torchLr = lrs[step * groupCount + g];
                if (Math.abs(opt.learningRate(g) - torchLr) > 1e-12) {
                    fail(name + ": step " + step + " group " + g + " lr " + opt.learningRate(g) + ", PyTorch " + torchLr);
                }
            }
            double loss;
            opt.zeroGrad();
            try (MemoryScope scope = t.scope()) {
                Tensor l = x.matmul(w.value().transpose(0, 1)).add(b.value()).sub(y).pow(2).mean();
                l.backward();
                loss = l.item();
                opt.step();
            }
            if (schedule != null) {
                schedule.observe(loss);
            }
            compare(name, step, "W", w.value().toDoubleArray(), Arrays.copyOfRange(ws, step * 12, step * 12 + 12));
            compare(name, step, "b", b.value().toDoubleArray(), Arrays.copyOfRange(bs, step * 3, step * 3 + 3));
        }
    }

    private static void compare(String name, int step, String what, double[] actual, double[] expected) {
        for (int i = 0; i < actual.length; i++) {
            if (!(Math.abs(actual[i] - expected[i]) <= TOLERANCE)) {
                fail(name + ": after step " + (step + 1) + ", " + what + "[" + i + "] = " + actual[i] + ", PyTorch "
                        + expected[i] + " (|diff| " + Math.abs(actual[i] - expected[i]) + " > " + TOLERANCE + ")");
            }
        }
    }

    /** Entries under {@code prefix} as spec values: flags, numbers, strings, and nested maps for dotted keys. */
    private static Map<String, Object> section(Map<String, String> meta, String prefix) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(meta).entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                continue;
            }
            String key = e.getKey().substring(prefix.length());
            int dot = key.indexOf('.');
            if (dot > 0) {
                out.putIfAbsent(key.substring(0, dot), section(meta, prefix + key.substring(0, dot + 1)));
            } else {
                out.put(key, value(e.getValue()));
            }
        }
        return out;
    }

    private static Object value(String s) {
        if (s.equals("true") || s.equals("false")) {
            return Boolean.parseBoolean(s);
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return s;
        }
    }

    private static Tensor tensor(Engine t, StoredTensor s) {
        return t.of(s.toDoubleArray(), s.shape());
    }

    private static List<String> caseNames() {
        try (InputStream in = resource("INDEX")) {
            List<String> names = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    names.add(line.strip());
                }
            }
            assertTrue(!names.isEmpty(), "no optimizer fixtures listed in " + DIR + "INDEX");
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static SafetensorsFile read(String name) {
        try (InputStream in = resource(name + ".safetensors")) {
            return Safetensors.read(in, DIR + name + ".safetensors");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream resource(String file) {
        InputStream in = OptimizerTrajectoryTest.class.getClassLoader().getResourceAsStream(DIR + file);
        if (in == null) {
            throw new IllegalStateException(DIR + file + " is not on the test classpath; run"
                    + " /usr/bin/python3 tools/fixtures/make_optimizer_fixtures.py");
        }
        return in;
    }
}
