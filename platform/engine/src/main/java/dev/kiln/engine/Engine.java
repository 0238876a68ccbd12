package dev.kiln.engine;

import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.Generator;
import dev.kiln.api.tensor.GradMode;
import dev.kiln.api.tensor.MemoryScope;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.api.tensor.Tensors;
import dev.kiln.engine.backend.Backend;
import dev.kiln.engine.backend.Storage;
import dev.kiln.engine.reference.ReferenceBackend;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The tensor engine: implements {@link Tensors} on one {@link Backend}, keeps each thread's scope
 * stack and grad mode, and accounts every byte of tensor memory against a cap.
 */
public final class Engine implements Tensors {

    private final Backend backend;
    private final MemoryLedger ledger;
    private final ThreadLocal<ArrayDeque<Scope>> scopes = ThreadLocal.withInitial(ArrayDeque::new);
    private final ThreadLocal<int[]> noGradDepth = ThreadLocal.withInitial(() -> new int[1]);

    /** An engine with no memory cap beyond the machine's. */
    public Engine(Backend backend) {
        this(backend, Long.MAX_VALUE);
    }

    /** An engine that refuses to hold more than {@code memoryCapBytes} of tensor memory. */
    public Engine(Backend backend, long memoryCapBytes) {
        this.backend = backend;
        this.ledger = new MemoryLedger(memoryCapBytes);
    }

    /** An engine on the pure-Java reference backend. */
    public static Engine reference() {
        return new Engine(new ReferenceBackend());
    }

    public Backend backendImpl() {
        return backend;
    }

    @Override
    public String backend() {
        return backend.name();
    }

    /** Bytes of tensor memory held right now. */
    public long liveBytes() {
        return ledger.live();
    }

    /** Most bytes held at once since the engine started. */
    public long peakBytes() {
        return ledger.peak();
    }

    // ---- memory ----------------------------------------------------------------------------------

    Storage allocate(DType dtype, int length, boolean zeroed) {
        long bytes = (long) length * dtype.byteSize();
        ledger.reserve(bytes);
        Storage s;
        try {
            s = zeroed ? backend.allocateZeroed(dtype, length) : backend.allocate(dtype, length);
        } catch (RuntimeException | Error e) {
            ledger.release(bytes);
            throw e;
        }
        s.onRelease(() -> ledger.release(bytes));
        return s;
    }

    /** Wraps storage in a tensor owned by this thread's innermost scope. */
    DenseTensor tensor(Storage storage, int[] shape) {
        DenseTensor t = new DenseTensor(this, storage, shape);
        Scope top = scopes.get().peek();
        if (top != null) {
            top.adopt(t);
        }
        return t;
    }

    DenseTensor empty(DType dtype, int[] shape) {
        return tensor(allocate(dtype, ShapeMath.numel(shape), false), shape.clone());
    }

    DenseTensor zerosLike(DType dtype, int[] shape) {
        return tensor(allocate(dtype, ShapeMath.numel(shape), true), shape.clone());
    }

    // ---- creation ---------------------------------------------------------------------------------

    @Override
    public Tensor zeros(DType dtype, int... shape) {
        return zerosLike(dtype, shape);
    }

    @Override
    public Tensor ones(DType dtype, int... shape) {
        return full(1.0, dtype, shape);
    }

    @Override
    public Tensor full(double value, DType dtype, int... shape) {
        DenseTensor t = empty(dtype, shape);
        backend.fill(t.storage(), value);
        return t;
    }

    @Override
    public Tensor of(float[] data, int... shape) {
        DenseTensor t = empty(DType.FLOAT32, checkLength(data.length, shape));
        t.storage().floats().put(0, data);
        return t;
    }

    @Override
    public Tensor of(double[] data, int... shape) {
        DenseTensor t = empty(DType.FLOAT64, checkLength(data.length, shape));
        t.storage().doubles().put(0, data);
        return t;
    }

    @Override
    public Tensor of(long[] data, int... shape) {
        DenseTensor t = empty(DType.INT64, checkLength(data.length, shape));
        t.storage().longs().put(0, data);
        return t;
    }

    /** A tensor of {@code dtype} holding double values (converted). */
    DenseTensor ofDoubles(double[] data, DType dtype, int[] shape) {
        DenseTensor t = empty(dtype, checkLength(data.length, shape));
        Storage s = t.storage();
        switch (dtype) {
            case FLOAT64 -> s.doubles().put(0, data);
            case FLOAT32 -> {
                float[] f = new float[data.length];
                for (int i = 0; i < f.length; i++) {
                    f[i] = (float) data[i];
                }
                s.floats().put(0, f);
            }
            case INT64 -> {
                long[] l = new long[data.length];
                for (int i = 0; i < l.length; i++) {
                    l[i] = (long) data[i];
                }
                s.longs().put(0, l);
            }
        }
        return t;
    }

    private static int[] checkLength(int length, int[] shape) {
        if (ShapeMath.numel(shape) != length) {
            throw new IllegalArgumentException("data has " + length + " elements but shape " + ShapeMath.str(shape)
                    + " needs " + ShapeMath.numel(shape));
        }
        return shape.clone();
    }

    @Override
    public Tensor scalar(double value, DType dtype) {
        return full(value, dtype);
    }

    @Override
    public Tensor arange(int n, DType dtype) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = i;
        }
        return ofDoubles(v, dtype, new int[] {n});
    }

    @Override
    public Tensor cat(List<Tensor> tensors, int axis) {
        return DenseTensor.cat(this, tensors, axis);
    }

    @Override
    public Tensor stack(List<Tensor> tensors, int axis) {
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("stack needs at least one tensor");
        }
        int rank = tensors.get(0).dim() + 1;
        int a = ShapeMath.axis(axis, rank);
        List<Tensor> expanded = new ArrayList<>(tensors.size());
        for (Tensor t : tensors) {
            int[] s = t.shape();
            int[] u = new int[rank];
            for (int i = 0, j = 0; i < rank; i++) {
                u[i] = i == a ? 1 : s[j++];
            }
            expanded.add(t.reshape(u));
        }
        return cat(expanded, a);
    }

    // ---- randomness ---------------------------------------------------------------------------------

    @Override
    public Generator generator(long seed) {
        return new CounterGenerator(seed);
    }

    private static CounterGenerator counter(Generator g) {
        if (g instanceof CounterGenerator c) {
            return c;
        }
        throw new IllegalArgumentException("generator must come from Tensors.generator(seed), got " + g.getClass().getName());
    }

    @Override
    public Tensor uniform(Generator generator, double low, double high, DType dtype, int... shape) {
        if (!(high >= low)) {
            throw new IllegalArgumentException("uniform needs low <= high, got [" + low + ", " + high + ")");
        }
        CounterGenerator g = counter(generator);
        double[] v = new double[ShapeMath.numel(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = low + (high - low) * g.nextDouble();
        }
        return ofDoubles(v, floating(dtype, "uniform"), shape);
    }

    @Override
    public Tensor normal(Generator generator, double mean, double std, DType dtype, int... shape) {
        if (!(std >= 0)) {
            throw new IllegalArgumentException("normal needs std >= 0, got " + std);
        }
        CounterGenerator g = counter(generator);
        double[] v = new double[ShapeMath.numel(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = mean + std * g.nextGaussian();
        }
        return ofDoubles(v, floating(dtype, "normal"), shape);
    }

    @Override
    public Tensor bernoulli(Generator generator, double p, DType dtype, int... shape) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("bernoulli needs 0 <= p <= 1, got " + p);
        }
        CounterGenerator g = counter(generator);
        DenseTensor t = empty(dtype, shape.clone());
        Storage s = t.storage();
        int n = ShapeMath.numel(shape);
        // drawn a chunk at a time straight into the storage: a dropout mask per step is on the hot path
        float[] chunk = new float[Math.min(n, 1 << 14)];
        for (int start = 0; start < n; start += chunk.length) {
            int len = Math.min(chunk.length, n - start);
            g.bernoulli(chunk, len, p);
            switch (dtype) {
                case FLOAT32 -> s.floats().put(start, chunk, 0, len);
                case FLOAT64 -> {
                    for (int i = 0; i < len; i++) {
                        s.doubles().put(start + i, chunk[i]);
                    }
                }
                case INT64 -> {
                    for (int i = 0; i < len; i++) {
                        s.longs().put(start + i, (long) chunk[i]);
                    }
                }
            }
        }
        return t;
    }

    private static DType floating(DType dtype, String op) {
        if (!dtype.isFloatingPoint()) {
            throw new IllegalArgumentException(op + " draws floating-point values; use FLOAT32 or FLOAT64, not " + dtype);
        }
        return dtype;
    }

    // ---- fused optimizer updates ------------------------------------------------------------------

    @Override
    public void adamStep(Tensor w, Tensor g, Tensor m, Tensor v, double lr, double beta1, double beta2, double eps,
                         double biasCorrection1, double biasCorrection2) {
        if (isGradEnabled()) {
            throw new IllegalStateException("adamStep updates tensors in place outside the graph: call it under tensors.noGrad()");
        }
        DenseTensor[] t = {own(w, "w"), own(g, "g"), own(m, "m"), own(v, "v")};
        for (DenseTensor x : t) {
            if (!java.util.Arrays.equals(x.shapeRef(), t[0].shapeRef()) || x.dtype() != t[0].dtype()) {
                throw new IllegalArgumentException("adamStep needs w, g, m, v of one shape and dtype, got "
                        + java.util.Arrays.stream(t).map(d -> d.dtype() + ShapeMath.str(d.shapeRef())).toList());
            }
        }
        floating(t[0].dtype(), "adamStep");
        if (t[0].gradFn() != null || t[2].gradFn() != null || t[3].gradFn() != null) {
            throw new IllegalStateException("adamStep: w, m and v must be leaves (parameters and optimizer state)");
        }
        backend.adamStep(t[0].storage(), t[1].storage(), t[2].storage(), t[3].storage(), (int) t[0].numel(), beta1, beta2, eps,
                lr / biasCorrection1, Math.sqrt(biasCorrection2));
    }

    private DenseTensor own(Tensor t, String what) {
        if (!(t instanceof DenseTensor d) || d.engine() != this) {
            throw new IllegalArgumentException("adamStep: " + what + " is not a tensor of this engine");
        }
        return d;
    }

    // ---- modes ---------------------------------------------------------------------------------------

    @Override
    public MemoryScope scope() {
        Scope s = new Scope(scopes.get());
        scopes.get().push(s);
        return s;
    }

    @Override
    public <T extends Tensor> T unscoped(T tensor) {
        DenseTensor t = (DenseTensor) tensor;
        t.owner = null; // scopes skip tensors they no longer own
        return tensor;
    }

    @Override
    public GradMode noGrad() {
        int[] depth = noGradDepth.get();
        depth[0]++;
        return new GradMode() {
            private boolean closed;

            @Override
            public void close() {
                if (!closed) {
                    closed = true;
                    depth[0]--;
                }
            }
        };
    }

    @Override
    public boolean isGradEnabled() {
        return noGradDepth.get()[0] == 0;
    }

    /** A memory scope: owns the tensors created on its thread while it is the innermost one. */
    static final class Scope implements MemoryScope {
        private final ArrayDeque<Scope> stack;
        private final List<DenseTensor> owned = new ArrayList<>();
        private boolean closed;

        Scope(ArrayDeque<Scope> stack) {
            this.stack = stack;
        }

        void adopt(DenseTensor t) {
            owned.add(t);
            t.owner = this;
        }

        @Override
        public <T extends Tensor> T keep(T tensor) {
            DenseTensor t = (DenseTensor) tensor;
            if (t.owner != this) {
                throw new IllegalArgumentException("keep: the tensor does not belong to this scope");
            }
            t.owner = null;
            boolean found = false;
            for (Scope s : stack) { // innermost first: the scope just outside this one adopts it
                if (found) {
                    s.adopt(t);
                    break;
                }
                found = s == this;
            }
            return tensor;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            if (stack.peek() != this) {
                throw new IllegalStateException("memory scopes must be closed innermost first");
            }
            closed = true;
            stack.pop();
            for (DenseTensor t : owned) {
                if (t.owner == this) {
                    t.close();
                }
            }
            owned.clear();
        }
    }
}
