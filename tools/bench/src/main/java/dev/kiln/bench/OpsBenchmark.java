package dev.kiln.bench;

import dev.kiln.api.tensor.Conv2dOptions;
import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.Generator;
import dev.kiln.api.tensor.GradMode;
import dev.kiln.api.tensor.MemoryScope;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;
import dev.kiln.engine.Engine;
import dev.kiln.engine.backend.Backend;
import dev.kiln.engine.backend.Backends;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code kiln bench ops}: times the cases of {@link BenchCase} through the public tensor API and
 * prints one JSON object per line, joinable on (case, pass) with {@code tools/bench/torch_ops_bench.py}.
 *
 * <p>Each timed step runs inside its own {@link MemoryScope}, as a training step would, so every
 * intermediate is freed before the next; the fwd+bwd steps clear the leaves' gradients each time.
 * For GEMM cases a direct {@code cblas_sgemm} call on native buffers of the same size is timed in the
 * same process ({@code raw_gflops}) when the Bytedeco OpenBLAS jars load.
 */
public final class OpsBenchmark {

    /**
     * @param threads   compute threads for the backend and the raw GEMM
     * @param backend   backend name, or null for the best available
     * @param cases     regex matched (find) against {@code case} or {@code case/pass}
     * @param minTimeMs timed wall-clock per case, at least
     * @param minIterations timed steps per case, at least
     * @param warmupMs  untimed warm-up per case, at least
     */
    public record Options(int threads, String backend, String cases, long minTimeMs, int minIterations, long warmupMs) {
        public Options {
            if (threads < 1) {
                throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
            }
            if (minTimeMs < 0 || warmupMs < 0) {
                throw new IllegalArgumentException("--min-time-ms and --warmup-ms must be >= 0");
            }
            if (minIterations < 1) {
                throw new IllegalArgumentException("--min-iterations must be >= 1, got " + minIterations);
            }
            Pattern.compile(cases == null ? "" : cases);
        }

        public static Options defaults() {
            return new Options(Runtime.getRuntime().availableProcessors(), null, ".*", 500, 10, 200);
        }
    }

    private final Options options;

    public OpsBenchmark(Options options) {
        this.options = options;
    }

    /** The cases the options select, in output order. */
    public List<BenchCase> selectedCases() {
        Pattern p = Pattern.compile(options.cases() == null ? "" : options.cases());
        List<BenchCase> out = new ArrayList<>();
        for (BenchCase c : BenchCase.all()) {
            if (p.matcher(c.name()).find() || p.matcher(c.name() + "/" + c.pass()).find()) {
                out.add(c);
            }
        }
        return out;
    }

    /**
     * Runs the selected cases, one JSON line each on {@code out}; notes go to {@code log}.
     *
     * @throws IllegalArgumentException when the backend cannot be selected or no case matches
     */
    public void run(PrintStream out, PrintStream log) {
        List<BenchCase> cases = selectedCases();
        if (cases.isEmpty()) {
            throw new IllegalArgumentException("no case matches --cases '" + options.cases() + "'; cases: "
                    + BenchCase.all().stream().map(c -> c.name() + "/" + c.pass()).distinct().toList());
        }
        Backends.Selection selection = Backends.discover().select(options.backend(), options.threads());
        Backend backend = selection.backend();
        Engine tensors = new Engine(backend);
        String rawProblem = RawGemm.probe();
        log.println("kiln bench ops: backend " + backend.name() + " (" + selection.reason() + "): " + backend.describe());
        if (rawProblem != null) {
            log.println("kiln bench ops: no raw cblas_sgemm baseline: " + rawProblem);
        }
        Timing timing = new Timing(options.minIterations(), options.minTimeMs() * 1_000_000L, options.warmupMs() * 1_000_000L, 100_000);
        String coretype = System.getenv("OPENBLAS_CORETYPE");
        String openblasCore = rawProblem == null ? RawGemm.coreName() : null;
        for (BenchCase c : cases) {
            Timing.Result r;
            try (Workload work = Workload.create(tensors, c)) {
                r = timing.measure(work::step);
            }
            Map<String, Object> row = Json.object(
                    "case", c.name(), "pass", c.pass(), "dtype", "float32",
                    "threads", options.threads(), "backend", backend.name(),
                    "median_ms", round(r.medianMs()), "gflops", gflops(c.flops(), r.medianMs()));
            if (c.kind() == BenchCase.Kind.GEMM && rawProblem == null) {
                Timing.Result raw = RawGemm.measure(c.n(), options.threads(), timing);
                row.put("raw_gflops", gflops(c.flops(), raw.medianMs()));
                row.put("raw_median_ms", round(raw.medianMs()));
                row.put("kiln_over_raw", Math.round(raw.medianMs() / r.medianMs() * 1000) / 1000.0);
            }
            row.put("p10_ms", round(r.p10Ms()));
            row.put("p90_ms", round(r.p90Ms()));
            row.put("iterations", r.iterations());
            row.put("warmup_iterations", r.warmupIterations());
            row.put("flops", c.flops());
            row.put("shape", c.shapeInfo());
            row.put("live_bytes_after", tensors.liveBytes());
            row.put("peak_bytes", tensors.peakBytes());
            row.put("openblas_coretype", coretype);
            row.put("openblas_core", openblasCore);
            row.put("java_version", Runtime.version().toString());
            row.put("backend_describe", backend.describe());
            out.println(Json.write(row));
            out.flush();
        }
    }

    private static double round(double ms) {
        return Math.round(ms * 10_000) / 10_000.0;
    }

    private static double gflops(long flops, double ms) {
        return Math.round(flops / (ms * 1e6) * 100) / 100.0;
    }

    /** One case's tensors, created once; {@link #step} is the timed unit. */
    private abstract static class Workload implements AutoCloseable {
        final Tensors t;
        private final List<Tensor> owned = new ArrayList<>();

        Workload(Tensors t) {
            this.t = t;
        }

        static Workload create(Tensors t, BenchCase c) {
            return switch (c.kind()) {
                case GEMM -> new Gemm(t, c);
                case CONV, CONV_TRANSPOSE -> new Conv(t, c);
                case MLP_STEP -> new MlpStep(t, c);
            };
        }

        /** A tensor that lives for the whole case (created outside any step scope). */
        <T extends Tensor> T keep(T tensor) {
            owned.add(tensor);
            return tensor;
        }

        Tensor randn(Generator g, double std, int... shape) {
            return keep(t.normal(g, 0, std, DType.FLOAT32, shape));
        }

        final void step() {
            try (MemoryScope scope = t.scope()) {
                body();
            }
        }

        abstract void body();

        @Override
        public void close() {
            for (Tensor x : owned) {
                x.close();
            }
        }
    }

    private static final class Gemm extends Workload {
        private final Tensor a;
        private final Tensor b;

        Gemm(Tensors t, BenchCase c) {
            super(t);
            Generator g = t.generator(42);
            a = randn(g, 1, c.n(), c.n());
            b = randn(g, 1, c.n(), c.n());
        }

        @Override
        void body() {
            try (GradMode off = t.noGrad()) {
                a.matmul(b);
            }
        }
    }

    /** conv2d or convTranspose2d; with backward, gradients for input, weight and bias. */
    private static final class Conv extends Workload {
        private final BenchCase c;
        private final Tensor x;
        private final Tensor w;
        private final Tensor b;
        private final Tensor gradOut;
        private final Conv2dOptions opts;

        Conv(Tensors t, BenchCase c) {
            super(t);
            this.c = c;
            Generator g = t.generator(42);
            boolean transposed = c.kind() == BenchCase.Kind.CONV_TRANSPOSE;
            x = randn(g, 1, c.n(), c.cin(), c.h(), c.w()).requiresGrad(c.backward());
            w = (transposed ? randn(g, 0.05, c.cin(), c.cout(), c.k(), c.k()) : randn(g, 0.05, c.cout(), c.cin(), c.k(), c.k()))
                    .requiresGrad(c.backward());
            b = randn(g, 1, c.cout()).requiresGrad(c.backward());
            opts = Conv2dOptions.of(c.stride(), c.pad());
            gradOut = c.backward() ? keep(t.ones(DType.FLOAT32, c.n(), c.cout(), c.hOut(), c.wOut())) : null;
        }

        private Tensor forward() {
            return c.kind() == BenchCase.Kind.CONV_TRANSPOSE ? x.convTranspose2d(w, b, opts, 0, 0) : x.conv2d(w, b, opts);
        }

        @Override
        void body() {
            if (!c.backward()) {
                try (GradMode off = t.noGrad()) {
                    forward();
                }
                return;
            }
            forward().backward(gradOut);
            x.zeroGrad();
            w.zeroGrad();
            b.zeroGrad();
        }
    }

    /** One training step of a 784-256-128-10 ReLU MLP: forward, cross-entropy, backward. */
    private static final class MlpStep extends Workload {
        private final Tensor x;
        private final Tensor labels;
        private final List<Tensor> params = new ArrayList<>();

        MlpStep(Tensors t, BenchCase c) {
            super(t);
            Generator g = t.generator(42);
            int[] d = BenchCase.MLP_DIMS;
            x = randn(g, 1, c.n(), d[0]);
            long[] y = new long[c.n()];
            for (int i = 0; i < y.length; i++) {
                y[i] = g.nextInt(d[d.length - 1]);
            }
            labels = keep(t.of(y, c.n(), 1));
            for (int i = 0; i + 1 < d.length; i++) {
                params.add(randn(g, 1 / Math.sqrt(d[i]), d[i], d[i + 1]).requiresGrad(true));
                params.add(randn(g, 0.01, d[i + 1]).requiresGrad(true));
            }
        }

        @Override
        void body() {
            Tensor h = x;
            for (int i = 0; i < params.size(); i += 2) {
                h = h.matmul(params.get(i)).add(params.get(i + 1));
                if (i + 2 < params.size()) {
                    h = h.relu();
                }
            }
            Tensor loss = h.logSoftmax(1).gather(1, labels).mean().neg();
            loss.backward();
            for (Tensor p : params) {
                p.zeroGrad();
            }
        }
    }
}
