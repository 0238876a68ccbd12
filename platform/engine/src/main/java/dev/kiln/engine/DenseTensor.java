package dev.kiln.engine;

import dev.kiln.api.tensor.Conv2dOptions;
import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.MaxPoolResult;
import dev.kiln.api.tensor.Pool2dOptions;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.engine.backend.Backend;
import dev.kiln.engine.backend.BinaryOp;
import dev.kiln.engine.backend.ConvGeometry;
import dev.kiln.engine.backend.PoolGeometry;
import dev.kiln.engine.backend.ReduceOp;
import dev.kiln.engine.backend.ResizeGeometry;
import dev.kiln.engine.backend.Storage;
import dev.kiln.engine.backend.UnaryOp;

import java.util.Arrays;
import java.util.List;

/**
 * The engine's tensor: a contiguous row-major {@link Storage} plus a shape, and, when it was
 * produced by a recorded op, the {@link Node} that produced it. Each primitive computes its forward
 * pass with one backend kernel and records a backward rule written with tensor ops.
 */
final class DenseTensor implements Tensor {

    private final Engine engine;
    private final int[] shape;
    private final int numel;
    private Storage storage;
    private boolean requiresGrad;
    private Node gradFn;
    private DenseTensor grad;
    Engine.Scope owner;

    DenseTensor(Engine engine, Storage storage, int[] shape) {
        this.engine = engine;
        this.storage = storage;
        this.shape = shape;
        this.numel = ShapeMath.numel(shape);
    }

    // ---- internals --------------------------------------------------------------------------------

    Engine engine() {
        return engine;
    }

    Storage storage() {
        if (storage == null) {
            throw new IllegalStateException("tensor " + ShapeMath.str(shape) + " was used after it was closed"
                    + " (its MemoryScope ended or close() was called); keep it with scope.keep(t) to use it later");
        }
        return storage;
    }

    int[] shapeRef() {
        return shape;
    }

    Node gradFn() {
        return gradFn;
    }

    private Backend backend() {
        return engine.backendImpl();
    }

    private static DenseTensor of(Tensor t) {
        if (t instanceof DenseTensor d) {
            return d;
        }
        throw new IllegalArgumentException("tensor from another implementation: " + t.getClass().getName());
    }

    private DenseTensor same(Tensor other) {
        DenseTensor o = of(other);
        if (o.engine != engine) {
            throw new IllegalArgumentException("tensors live on different engines (" + engine.backend() + " and "
                    + o.engine.backend() + "); move one with the engine that owns the other");
        }
        if (o.dtype() != dtype()) {
            throw new IllegalArgumentException("dtype mismatch: " + dtype() + " and " + o.dtype()
                    + "; convert one with to(DType)");
        }
        return o;
    }

    /** Records {@code rule} on {@code out} when grad mode is on and any input requires a gradient. */
    private DenseTensor record(DenseTensor out, String op, Node.Rule rule, DenseTensor... inputs) {
        if (!engine.isGradEnabled()) {
            return out;
        }
        for (DenseTensor in : inputs) {
            if (in != null && in.requiresGrad) {
                out.requiresGrad = true;
                out.gradFn = new Node(op, inputs, rule);
                return out;
            }
        }
        return out;
    }

    private DenseTensor newLike(int[] newShape) {
        return engine.empty(dtype(), newShape);
    }

    private DenseTensor scalarLike(double v) {
        DenseTensor t = engine.empty(dtype(), new int[0]);
        t.storage().set(0, v);
        return t;
    }

    void accumulateGrad(DenseTensor g) {
        if (grad == null) {
            DenseTensor copy = engine.empty(dtype(), shape);
            backend().convert(g.storage(), copy.storage(), numel);
            detachFromScope(copy);
            grad = copy;
        } else {
            backend().binary(BinaryOp.ADD, grad.storage(), ShapeMath.strides(shape), g.storage(),
                    ShapeMath.strides(shape), grad.storage(), shape);
        }
    }

    private static void detachFromScope(DenseTensor t) {
        t.owner = null; // the scope skips tensors it no longer owns
    }

    // ---- metadata ----------------------------------------------------------------------------------

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public int dim() {
        return shape.length;
    }

    @Override
    public int size(int axis) {
        return shape[ShapeMath.axis(axis, shape.length)];
    }

    @Override
    public long numel() {
        return numel;
    }

    @Override
    public DType dtype() {
        return storage().dtype();
    }

    @Override
    public String device() {
        return engine.backend();
    }

    @Override
    public String toString() {
        return "Tensor" + ShapeMath.str(shape) + " " + (storage == null ? "closed" : dtype()) + (requiresGrad ? " requiresGrad" : "");
    }

    // ---- autograd ------------------------------------------------------------------------------------

    @Override
    public boolean requiresGrad() {
        return requiresGrad;
    }

    @Override
    public DenseTensor requiresGrad(boolean value) {
        if (gradFn != null) {
            throw new IllegalStateException("requiresGrad can only be changed on a leaf; use detach() to make one");
        }
        if (value && !dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("only floating-point tensors can require gradients, this is " + dtype());
        }
        requiresGrad = value;
        return this;
    }

    @Override
    public boolean isLeaf() {
        return gradFn == null;
    }

    @Override
    public DenseTensor grad() {
        return grad;
    }

    @Override
    public void zeroGrad() {
        if (grad != null) {
            grad.close();
            grad = null;
        }
    }

    @Override
    public void backward() {
        if (numel != 1) {
            throw new IllegalStateException("backward() needs a one-element tensor, this has shape " + ShapeMath.str(shape)
                    + "; reduce it (e.g. sum() or mean()) or pass a gradient to backward(Tensor)");
        }
        DenseTensor one = engine.empty(dtype(), shape);
        backend().fill(one.storage(), 1.0);
        Autograd.backward(this, one);
    }

    @Override
    public void backward(Tensor gradient) {
        Autograd.backward(this, same(gradient));
    }

    @Override
    public DenseTensor detach() {
        return engine.tensor(storage().retain(), shape.clone());
    }

    // ---- element-wise unary -----------------------------------------------------------------------------

    private DenseTensor unary(UnaryOp op) {
        if (!dtype().isFloatingPoint() && op != UnaryOp.NEG && op != UnaryOp.ABS && op != UnaryOp.SIGN) {
            throw new IllegalArgumentException(op.name().toLowerCase() + " needs a floating-point tensor, this is " + dtype());
        }
        DenseTensor out = newLike(shape);
        backend().unary(op, storage(), out.storage(), numel);
        return out;
    }

    @Override
    public DenseTensor neg() {
        return record(unary(UnaryOp.NEG), "neg", g -> new DenseTensor[] {g.neg()}, this);
    }

    @Override
    public DenseTensor exp() {
        DenseTensor out = unary(UnaryOp.EXP);
        return record(out, "exp", g -> new DenseTensor[] {g.mul(out)}, this);
    }

    @Override
    public DenseTensor log() {
        return record(unary(UnaryOp.LOG), "log", g -> new DenseTensor[] {g.div(this)}, this);
    }

    @Override
    public DenseTensor sqrt() {
        DenseTensor out = unary(UnaryOp.SQRT);
        return record(out, "sqrt", g -> new DenseTensor[] {g.div(out).mul(0.5)}, this);
    }

    @Override
    public DenseTensor tanh() {
        DenseTensor out = unary(UnaryOp.TANH);
        return record(out, "tanh", g -> new DenseTensor[] {g.mul(out.mul(out).neg().add(1.0))}, this);
    }

    @Override
    public DenseTensor sigmoid() {
        DenseTensor out = unary(UnaryOp.SIGMOID);
        return record(out, "sigmoid", g -> new DenseTensor[] {g.mul(out.mul(out.neg().add(1.0)))}, this);
    }

    @Override
    public DenseTensor abs() {
        return record(unary(UnaryOp.ABS), "abs", g -> new DenseTensor[] {g.mul(sign())}, this);
    }

    @Override
    public DenseTensor relu() {
        return record(unary(UnaryOp.RELU), "relu", g -> new DenseTensor[] {g.binary(BinaryOp.MUL_STEP, this)}, this);
    }

    @Override
    public DenseTensor sign() {
        return unary(UnaryOp.SIGN);
    }

    // ---- element-wise binary ------------------------------------------------------------------------------

    private DenseTensor binary(BinaryOp op, DenseTensor b) {
        int[] outShape = ShapeMath.broadcast(shape, b.shape);
        DenseTensor out = newLike(outShape);
        backend().binary(op, storage(), ShapeMath.broadcastStrides(shape, outShape), b.storage(),
                ShapeMath.broadcastStrides(b.shape, outShape), out.storage(), outShape);
        return out;
    }

    /** Sums a broadcast gradient back down to {@code target}'s shape. */
    static DenseTensor reduceTo(DenseTensor g, int[] target) {
        if (Arrays.equals(g.shape, target)) {
            return g;
        }
        int lead = g.shape.length - target.length;
        int[] axes = new int[g.shape.length];
        int n = 0;
        for (int i = 0; i < g.shape.length; i++) {
            if (i < lead || (target[i - lead] == 1 && g.shape[i] != 1)) {
                axes[n++] = i;
            }
        }
        DenseTensor s = g.sum(Arrays.copyOf(axes, n), true);
        return s.reshape(target);
    }

    @Override
    public DenseTensor add(Tensor other) {
        DenseTensor b = same(other);
        return record(binary(BinaryOp.ADD, b), "add",
                g -> new DenseTensor[] {reduceTo(g, shape), reduceTo(g, b.shape)}, this, b);
    }

    @Override
    public DenseTensor sub(Tensor other) {
        DenseTensor b = same(other);
        return record(binary(BinaryOp.SUB, b), "sub",
                g -> new DenseTensor[] {reduceTo(g, shape), b.requiresGrad ? reduceTo(g.neg(), b.shape) : null}, this, b);
    }

    @Override
    public DenseTensor mul(Tensor other) {
        DenseTensor b = same(other);
        return record(binary(BinaryOp.MUL, b), "mul", g -> new DenseTensor[] {
            requiresGrad ? reduceTo(g.mul(b), shape) : null,
            b.requiresGrad ? reduceTo(g.mul(this), b.shape) : null}, this, b);
    }

    @Override
    public DenseTensor div(Tensor other) {
        DenseTensor b = same(other);
        DenseTensor out = binary(BinaryOp.DIV, b);
        return record(out, "div", g -> new DenseTensor[] {
            requiresGrad ? reduceTo(g.div(b), shape) : null,
            b.requiresGrad ? reduceTo(g.mul(out).div(b).neg(), b.shape) : null}, this, b);
    }

    @Override
    public DenseTensor pow(Tensor exponent) {
        DenseTensor e = same(exponent);
        DenseTensor out = binary(BinaryOp.POW, e);
        return record(out, "pow", g -> new DenseTensor[] {
            requiresGrad ? reduceTo(g.mul(e).mul(pow(e.sub(1.0))), shape) : null,
            e.requiresGrad ? reduceTo(g.mul(out).mul(log()), e.shape) : null}, this, e);
    }

    /** Max/min: the gradient goes to the winner, split evenly on ties (PyTorch). */
    private DenseTensor extremum(Tensor other, BinaryOp op, BinaryOp wins) {
        DenseTensor b = same(other);
        DenseTensor out = binary(op, b);
        return record(out, op.name().toLowerCase(), g -> {
            DenseTensor mask = binary(wins, b).add(binary(BinaryOp.EQ, b).mul(0.5));
            return new DenseTensor[] {
                requiresGrad ? reduceTo(g.mul(mask), shape) : null,
                b.requiresGrad ? reduceTo(g.mul(mask.neg().add(1.0)), b.shape) : null};
        }, this, b);
    }

    @Override
    public DenseTensor maximum(Tensor other) {
        return extremum(other, BinaryOp.MAX, BinaryOp.GT);
    }

    @Override
    public DenseTensor minimum(Tensor other) {
        return extremum(other, BinaryOp.MIN, BinaryOp.LT);
    }

    @Override
    public DenseTensor add(double scalar) {
        return add(scalarLike(scalar));
    }

    @Override
    public DenseTensor sub(double scalar) {
        return sub(scalarLike(scalar));
    }

    @Override
    public DenseTensor mul(double scalar) {
        return mul(scalarLike(scalar));
    }

    @Override
    public DenseTensor div(double scalar) {
        return div(scalarLike(scalar));
    }

    @Override
    public DenseTensor pow(double exponent) {
        DenseTensor e = scalarLike(exponent);
        DenseTensor out = binary(BinaryOp.POW, e);
        return record(out, "pow", g -> new DenseTensor[] {g.mul(pow(exponent - 1)).mul(exponent)}, this);
    }

    @Override
    public DenseTensor gt(Tensor other) {
        return binary(BinaryOp.GT, same(other));
    }

    @Override
    public DenseTensor ge(Tensor other) {
        return binary(BinaryOp.GE, same(other));
    }

    @Override
    public DenseTensor lt(Tensor other) {
        return binary(BinaryOp.LT, same(other));
    }

    @Override
    public DenseTensor le(Tensor other) {
        return binary(BinaryOp.LE, same(other));
    }

    @Override
    public DenseTensor eq(Tensor other) {
        return binary(BinaryOp.EQ, same(other));
    }

    @Override
    public DenseTensor gt(double scalar) {
        return binary(BinaryOp.GT, scalarLike(scalar));
    }

    @Override
    public DenseTensor lt(double scalar) {
        return binary(BinaryOp.LT, scalarLike(scalar));
    }

    @Override
    public DenseTensor where(Tensor condition, Tensor other) {
        DenseTensor c = of(condition);
        DenseTensor b = same(other);
        int[] outShape = ShapeMath.broadcast(ShapeMath.broadcast(c.shape, shape), b.shape);
        DenseTensor out = newLike(outShape);
        backend().where(c.storage(), ShapeMath.broadcastStrides(c.shape, outShape), storage(),
                ShapeMath.broadcastStrides(shape, outShape), b.storage(), ShapeMath.broadcastStrides(b.shape, outShape),
                out.storage(), outShape);
        return record(out, "where", g -> {
            DenseTensor zero = g.scalarLike(0);
            return new DenseTensor[] {
                requiresGrad ? reduceTo(g.where(c, zero), shape) : null,
                b.requiresGrad ? reduceTo(zero.where(c, g), b.shape) : null};
        }, this, b);
    }

    // ---- reductions -------------------------------------------------------------------------------------

    private int[] normalizeAxes(int[] axes) {
        boolean[] seen = new boolean[shape.length];
        for (int a : axes) {
            int n = ShapeMath.axis(a, shape.length);
            if (seen[n]) {
                throw new IllegalArgumentException("axis " + a + " given twice in " + Arrays.toString(axes));
            }
            seen[n] = true;
        }
        return seenToAxes(seen);
    }

    private static int[] seenToAxes(boolean[] seen) {
        int n = 0;
        for (boolean b : seen) {
            n += b ? 1 : 0;
        }
        int[] out = new int[n];
        for (int i = 0, j = 0; i < seen.length; i++) {
            if (seen[i]) {
                out[j++] = i;
            }
        }
        return out;
    }

    private int[] reducedShape(int[] axes, boolean keepDim) {
        boolean[] reduce = new boolean[shape.length];
        for (int a : axes) {
            reduce[a] = true;
        }
        int[] out = new int[keepDim ? shape.length : shape.length - axes.length];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (!reduce[i]) {
                out[j++] = shape[i];
            } else if (keepDim) {
                out[j++] = 1;
            }
        }
        return out;
    }

    /** One-axis reduction kernel over the (outer, n, inner) view; keeps the axis with size 1. */
    private DenseTensor reduceAxis(ReduceOp op, int axis) {
        int[] outShape = shape.clone();
        outShape[axis] = 1;
        DenseTensor out = engine.empty(op == ReduceOp.ARGMAX ? DType.INT64 : dtype(), outShape);
        backend().reduce(op, storage(), out.storage(), ShapeMath.product(shape, 0, axis), shape[axis],
                ShapeMath.product(shape, axis + 1, shape.length));
        return out;
    }

    @Override
    public DenseTensor sum() {
        int[] all = new int[shape.length];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        return sum(all, false);
    }

    @Override
    public DenseTensor sum(int axis, boolean keepDim) {
        return sum(new int[] {axis}, keepDim);
    }

    @Override
    public DenseTensor sum(int[] axes, boolean keepDim) {
        int[] ax = normalizeAxes(axes);
        DenseTensor cur = this;
        if (ax.length == 0) {
            cur = reshape(shape); // sum over nothing: same values, recorded
            return cur;
        }
        // Reduce the largest run of contiguous axes in one kernel call each.
        DenseTensor acc = null;
        int[] curShape = shape.clone();
        DenseTensor src = this;
        for (int i = ax.length - 1; i >= 0; ) {
            int last = ax[i];
            int first = last;
            while (i > 0 && ax[i - 1] == first - 1) { // a run of adjacent axes, e.g. H and W: one kernel call
                first = ax[--i];
            }
            i--;
            int[] outShape = curShape.clone();
            for (int a = first; a <= last; a++) {
                outShape[a] = 1;
            }
            DenseTensor out = engine.empty(dtype(), outShape);
            backend().reduce(ReduceOp.SUM, src.storage(), out.storage(), ShapeMath.product(curShape, 0, first),
                    ShapeMath.product(curShape, first, last + 1), ShapeMath.product(curShape, last + 1, curShape.length));
            curShape = out.shape;
            src = out;
            acc = out;
        }
        int[] keptShape = reducedShape(ax, true);
        int[] finalShape = reducedShape(ax, keepDim);
        DenseTensor out = engine.tensor(acc.storage().retain(), finalShape);
        return record(out, "sum", g -> new DenseTensor[] {g.reshape(keptShape).expand(shape)}, this);
    }

    @Override
    public DenseTensor mean() {
        return sum().div((double) numel);
    }

    @Override
    public DenseTensor mean(int[] axes, boolean keepDim) {
        int[] ax = normalizeAxes(axes);
        int count = 1;
        for (int a : ax) {
            count *= shape[a];
        }
        return sum(ax, keepDim).div((double) count);
    }

    @Override
    public DenseTensor mean(int axis, boolean keepDim) {
        return mean(new int[] {axis}, keepDim);
    }

    @Override
    public DenseTensor argmax(int axis, boolean keepDim) {
        int a = ShapeMath.axis(axis, shape.length);
        DenseTensor idx = reduceAxis(ReduceOp.ARGMAX, a);
        return keepDim ? idx : idx.reshape(reducedShape(new int[] {a}, false));
    }

    @Override
    public DenseTensor max(int axis, boolean keepDim) {
        int a = ShapeMath.axis(axis, shape.length);
        if (!requiresGrad || !engine.isGradEnabled()) {
            DenseTensor m = reduceAxis(ReduceOp.MAX, a);
            return keepDim ? m : m.reshape(reducedShape(new int[] {a}, false));
        }
        // max = gather at argmax, so the gradient goes to the first maximal element.
        DenseTensor idx = argmax(a, true);
        DenseTensor m = gather(a, idx);
        return keepDim ? m : m.reshape(reducedShape(new int[] {a}, false));
    }

    @Override
    public DenseTensor max() {
        return reshape(numel).max(0, false);
    }

    @Override
    public DenseTensor logsumexp(int axis, boolean keepDim) {
        int a = ShapeMath.axis(axis, shape.length);
        DenseTensor m = detach().max(a, true);
        // Rows whose maximum is infinite use 0 as the shift, so -inf rows give -inf, not NaN.
        DenseTensor finite = m.abs().lt(Double.POSITIVE_INFINITY);
        DenseTensor shift = m.where(finite, scalarLike(0));
        DenseTensor lse = sub(shift).exp().sum(a, true).log().add(shift);
        return keepDim ? lse : lse.reshape(reducedShape(new int[] {a}, false));
    }

    // ---- linear algebra ----------------------------------------------------------------------------------

    @Override
    public DenseTensor matmul(Tensor other) {
        DenseTensor b = same(other);
        if (shape.length < 2 || b.shape.length < 2) {
            throw new IllegalArgumentException("matmul needs operands of rank >= 2, got " + ShapeMath.str(shape)
                    + " and " + ShapeMath.str(b.shape) + "; reshape vectors to (1, n) or (n, 1)");
        }
        int m = shape[shape.length - 2];
        int k = shape[shape.length - 1];
        int k2 = b.shape[b.shape.length - 2];
        int n = b.shape[b.shape.length - 1];
        if (k != k2) {
            throw new IllegalArgumentException("matmul: inner sizes differ: " + ShapeMath.str(shape) + " @ "
                    + ShapeMath.str(b.shape) + " (" + k + " != " + k2 + ")");
        }
        int[] aBatch = Arrays.copyOf(shape, shape.length - 2);
        int[] bBatch = Arrays.copyOf(b.shape, b.shape.length - 2);
        int[] batchShape = ShapeMath.broadcast(aBatch, bBatch);
        int batch = ShapeMath.numel(batchShape);
        DenseTensor a2 = operandFor(this, aBatch, batchShape, m, k);
        DenseTensor b2 = operandFor(b, bBatch, batchShape, k, n);
        int[] outShape = Arrays.copyOf(batchShape, batchShape.length + 2);
        outShape[outShape.length - 2] = m;
        outShape[outShape.length - 1] = n;
        DenseTensor out = engine.empty(dtype(), outShape);
        boolean aBatched = ShapeMath.numel(aBatch) > 1;
        boolean bBatched = ShapeMath.numel(bBatch) > 1;
        backend().matmul(a2.storage(), aBatched, false, b2.storage(), bBatched, false, out.storage(), batch, m, k, n);
        return record(out, "matmul", g -> new DenseTensor[] {
            requiresGrad ? reduceTo(mm(g, false, b2, true, batchShape, bBatched, m, n, k), shape) : null,
            b.requiresGrad ? gradRight(a2, aBatched, g, batchShape, bBatched, m, k, n, b.shape) : null}, this, b);
    }

    @Override
    public DenseTensor linear(Tensor weight, Tensor bias) {
        DenseTensor w = same(weight);
        DenseTensor b = bias == null ? null : same(bias);
        if (shape.length < 1 || w.shape.length != 2 || shape[shape.length - 1] != w.shape[1]) {
            throw new IllegalArgumentException("linear: input " + ShapeMath.str(shape) + " needs a weight (out, "
                    + (shape.length == 0 ? "in" : shape[shape.length - 1]) + "), got " + ShapeMath.str(w.shape));
        }
        int in = w.shape[1], outF = w.shape[0], rows = numel / Math.max(in, 1);
        checkBias(b, outF, "linear");
        int[] outShape = shape.clone();
        outShape[outShape.length - 1] = outF;
        DenseTensor out = engine.empty(dtype(), outShape);
        backend().matmul(storage(), false, false, w.storage(), false, true, out.storage(), 1, rows, in, outF);
        if (b != null) {
            backend().binary(BinaryOp.ADD, out.storage(), ShapeMath.strides(outShape), b.storage(),
                    ShapeMath.broadcastStrides(b.shape, outShape), out.storage(), outShape);
        }
        return record(out, "linear", g -> {
            DenseTensor gx = null, gw = null, gb = null;
            if (requiresGrad) {
                gx = engine.empty(dtype(), shape);
                backend().matmul(g.storage(), false, false, w.storage(), false, false, gx.storage(), 1, rows, outF, in);
            }
            if (w.requiresGrad) {
                gw = engine.empty(dtype(), w.shape);
                backend().matmul(g.storage(), false, true, storage(), false, false, gw.storage(), 1, outF, rows, in);
            }
            if (b != null && b.requiresGrad) {
                gb = g.reshape(rows, outF).sum(0, false);
            }
            return new DenseTensor[] {gx, gw, gb};
        }, this, w, b);
    }

    /** The operand's memory as (batch or 1, rows, cols): broadcast batch axes are materialised only when needed. */
    private static DenseTensor operandFor(DenseTensor t, int[] ownBatch, int[] batchShape, int rows, int cols) {
        if (ShapeMath.numel(ownBatch) <= 1 || Arrays.equals(padLeft(ownBatch, batchShape.length), batchShape)) {
            return t;
        }
        int[] full = Arrays.copyOf(batchShape, batchShape.length + 2);
        full[full.length - 2] = rows;
        full[full.length - 1] = cols;
        return t.detach().expand(full);
    }

    private static int[] padLeft(int[] s, int rank) {
        int[] r = new int[rank];
        Arrays.fill(r, 1);
        System.arraycopy(s, 0, r, rank - s.length, s.length);
        return r;
    }

    /** {@code op(a) @ op(b)} without recording, batched over {@code batchShape}. */
    private DenseTensor mm(DenseTensor a, boolean ta, DenseTensor b, boolean tb, int[] batchShape, boolean bBatched,
                           int m, int k, int n) {
        int[] outShape = Arrays.copyOf(batchShape, batchShape.length + 2);
        outShape[outShape.length - 2] = m;
        outShape[outShape.length - 1] = n;
        DenseTensor out = engine.empty(dtype(), outShape);
        backend().matmul(a.storage(), true, ta, b.storage(), bBatched, tb, out.storage(), ShapeMath.numel(batchShape), m, k, n);
        return out;
    }

    /** Gradient of the right operand: {@code a^T @ g}, summed over the batch when {@code b} was shared. */
    private DenseTensor gradRight(DenseTensor a2, boolean aBatched, DenseTensor g, int[] batchShape, boolean bBatched,
                                  int m, int k, int n, int[] bShape) {
        int batch = ShapeMath.numel(batchShape);
        if (!bBatched) {
            // a shared right operand sees every batch row: stack the batch into the rows of one GEMM
            DenseTensor aRows = aBatched || batch == 1 ? a2 : a2.expand(padBatch(batchShape, m, k));
            DenseTensor out = engine.empty(dtype(), new int[] {k, n});
            backend().matmul(aRows.storage(), false, true, g.storage(), false, false, out.storage(), 1, k, batch * m, n);
            if (batch > 1 && !aBatched) {
                aRows.close();
            }
            return out.reshape(bShape);
        }
        int[] outShape = padBatch(batchShape, k, n);
        DenseTensor out = engine.empty(dtype(), outShape);
        backend().matmul(a2.storage(), aBatched, true, g.storage(), true, false, out.storage(), batch, k, m, n);
        return reduceTo(out, bShape);
    }

    private static int[] padBatch(int[] batchShape, int r, int c) {
        int[] s = Arrays.copyOf(batchShape, batchShape.length + 2);
        s[s.length - 2] = r;
        s[s.length - 1] = c;
        return s;
    }

    // ---- convolution ------------------------------------------------------------------------------------

    private void requireRank(int rank, String op, String layout) {
        if (shape.length != rank) {
            throw new IllegalArgumentException(op + " expects a " + layout + " tensor of rank " + rank + ", got shape "
                    + ShapeMath.str(shape));
        }
    }

    @Override
    public DenseTensor conv2d(Tensor weight, Tensor bias, Conv2dOptions o) {
        requireRank(4, "conv2d", "(N, C_in, H, W)");
        DenseTensor w = same(weight);
        DenseTensor b = bias == null ? null : same(bias);
        w.requireRank(4, "conv2d weight", "(C_out, C_in/groups, kH, kW)");
        int n = shape[0], cIn = shape[1], h = shape[2], wd = shape[3];
        int cOut = w.shape[0], kH = w.shape[2], kW = w.shape[3];
        if (cIn % o.groups() != 0 || cOut % o.groups() != 0) {
            throw new IllegalArgumentException("conv2d: groups=" + o.groups() + " must divide C_in=" + cIn + " and C_out=" + cOut);
        }
        if (w.shape[1] != cIn / o.groups()) {
            throw new IllegalArgumentException("conv2d: weight " + ShapeMath.str(w.shape) + " needs axis 1 = C_in/groups = "
                    + cIn / o.groups() + " for input " + ShapeMath.str(shape));
        }
        checkBias(b, cOut, "conv2d");
        int outH = ShapeMath.convOut(h, o.padH(), o.dilationH(), kH, o.strideH());
        int outW = ShapeMath.convOut(wd, o.padW(), o.dilationW(), kW, o.strideW());
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException("conv2d: input " + ShapeMath.str(shape) + " is smaller than the dilated kernel "
                    + kH + "x" + kW + " after padding; output would be " + outH + "x" + outW);
        }
        ConvGeometry geo = new ConvGeometry(n, cIn, h, wd, cOut, kH, kW, outH, outW, o);
        DenseTensor out = engine.empty(dtype(), new int[] {n, cOut, outH, outW});
        backend().conv2d(storage(), w.storage(), b == null ? null : b.storage(), out.storage(), geo);
        return record(out, "conv2d", g -> {
            DenseTensor gx = null, gw = null;
            if (requiresGrad) {
                gx = engine.empty(dtype(), shape);
                backend().conv2dBackwardInput(g.storage(), w.storage(), gx.storage(), geo);
            }
            if (w.requiresGrad) {
                gw = engine.empty(dtype(), w.shape);
                backend().conv2dBackwardWeight(storage(), g.storage(), gw.storage(), geo);
            }
            DenseTensor gb = b != null && b.requiresGrad ? g.sum(new int[] {0, 2, 3}, false) : null;
            return new DenseTensor[] {gx, gw, gb};
        }, this, w, b);
    }

    private static void checkBias(DenseTensor b, int channels, String op) {
        if (b != null && (b.shape.length != 1 || b.shape[0] != channels)) {
            throw new IllegalArgumentException(op + ": bias must have shape [" + channels + "], got " + ShapeMath.str(b.shape));
        }
    }

    @Override
    public DenseTensor convTranspose2d(Tensor weight, Tensor bias, Conv2dOptions o, int outputPaddingH, int outputPaddingW) {
        requireRank(4, "conv_transpose2d", "(N, C_in, H, W)");
        DenseTensor w = same(weight);
        DenseTensor b = bias == null ? null : same(bias);
        w.requireRank(4, "conv_transpose2d weight", "(C_in, C_out/groups, kH, kW)");
        int n = shape[0], cIn = shape[1], h = shape[2], wd = shape[3];
        if (w.shape[0] != cIn) {
            throw new IllegalArgumentException("conv_transpose2d: weight " + ShapeMath.str(w.shape) + " needs axis 0 = C_in = " + cIn);
        }
        if (cIn % o.groups() != 0) {
            throw new IllegalArgumentException("conv_transpose2d: groups=" + o.groups() + " must divide C_in=" + cIn);
        }
        int cOut = w.shape[1] * o.groups(), kH = w.shape[2], kW = w.shape[3];
        checkBias(b, cOut, "conv_transpose2d");
        if (outputPaddingH < 0 || outputPaddingW < 0
                || (outputPaddingH >= o.strideH() && outputPaddingH >= o.dilationH())
                || (outputPaddingW >= o.strideW() && outputPaddingW >= o.dilationW())) {
            throw new IllegalArgumentException("conv_transpose2d: output padding (" + outputPaddingH + ", " + outputPaddingW
                    + ") must be >= 0 and smaller than the stride or the dilation");
        }
        int outH = (h - 1) * o.strideH() - 2 * o.padH() + o.dilationH() * (kH - 1) + outputPaddingH + 1;
        int outW = (wd - 1) * o.strideW() - 2 * o.padW() + o.dilationW() * (kW - 1) + outputPaddingW + 1;
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException("conv_transpose2d: output would be " + outH + "x" + outW + "; reduce the padding");
        }
        // The convolution whose input-gradient this is: input (n, cOut, outH, outW) -> output (n, cIn, h, w).
        ConvGeometry geo = new ConvGeometry(n, cOut, outH, outW, cIn, kH, kW, h, wd, o);
        DenseTensor out = engine.empty(dtype(), new int[] {n, cOut, outH, outW});
        backend().conv2dBackwardInput(storage(), w.storage(), out.storage(), geo);
        if (b != null) {
            DenseTensor biased = out.add(b.detach().reshape(1, cOut, 1, 1));
            out.close();
            out = biased;
        }
        return record(out, "conv_transpose2d", g -> {
            DenseTensor gx = null, gw = null;
            if (requiresGrad) {
                gx = engine.empty(dtype(), shape);
                backend().conv2d(g.storage(), w.storage(), null, gx.storage(), geo);
            }
            if (w.requiresGrad) {
                gw = engine.empty(dtype(), w.shape);
                backend().conv2dBackwardWeight(g.storage(), storage(), gw.storage(), geo);
            }
            DenseTensor gb = b != null && b.requiresGrad ? g.sum(new int[] {0, 2, 3}, false) : null;
            return new DenseTensor[] {gx, gw, gb};
        }, this, w, b);
    }

    // ---- pooling and resizing ---------------------------------------------------------------------------

    private PoolGeometry poolGeometry(Pool2dOptions o, String op) {
        requireRank(4, op, "(N, C, H, W)");
        int outH = ShapeMath.poolOut(shape[2], o.padH(), o.kernelH(), o.strideH(), o.ceilMode());
        int outW = ShapeMath.poolOut(shape[3], o.padW(), o.kernelW(), o.strideW(), o.ceilMode());
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException(op + ": input " + ShapeMath.str(shape) + " is smaller than the kernel "
                    + o.kernelH() + "x" + o.kernelW() + "; output would be " + outH + "x" + outW);
        }
        return new PoolGeometry(shape[0], shape[1], shape[2], shape[3], outH, outW, o);
    }

    @Override
    public MaxPoolResult maxPool2d(Pool2dOptions o) {
        PoolGeometry geo = poolGeometry(o, "max_pool2d");
        int[] outShape = {geo.n(), geo.c(), geo.outH(), geo.outW()};
        DenseTensor out = newLike(outShape);
        DenseTensor idx = engine.empty(DType.INT64, outShape);
        backend().maxPool2d(storage(), out.storage(), idx.storage(), geo);
        record(out, "max_pool2d", g -> {
            DenseTensor gx = engine.zerosLike(dtype(), shape);
            backend().maxPool2dBackward(g.storage(), idx.storage(), gx.storage(), geo);
            return new DenseTensor[] {gx};
        }, this);
        return new MaxPoolResult(out, idx);
    }

    @Override
    public DenseTensor avgPool2d(Pool2dOptions o, boolean countIncludePad) {
        PoolGeometry geo = poolGeometry(o, "avg_pool2d");
        DenseTensor out = newLike(new int[] {geo.n(), geo.c(), geo.outH(), geo.outW()});
        backend().avgPool2d(storage(), out.storage(), geo, countIncludePad);
        return record(out, "avg_pool2d", g -> {
            DenseTensor gx = engine.zerosLike(dtype(), shape);
            backend().avgPool2dBackward(g.storage(), gx.storage(), geo, countIncludePad);
            return new DenseTensor[] {gx};
        }, this);
    }

    @Override
    public DenseTensor maxUnpool2d(Tensor indices, int outH, int outW) {
        requireRank(4, "max_unpool2d", "(N, C, H, W)");
        DenseTensor idx = of(indices);
        if (idx.dtype() != DType.INT64 || !Arrays.equals(idx.shape, shape)) {
            throw new IllegalArgumentException("max_unpool2d: indices must be INT64 with the input's shape "
                    + ShapeMath.str(shape) + ", got " + idx.dtype() + " " + ShapeMath.str(idx.shape));
        }
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException("max_unpool2d: output size must be positive, got " + outH + "x" + outW);
        }
        int planes = shape[0] * shape[1], inPlane = shape[2] * shape[3], outPlane = outH * outW;
        DenseTensor out = engine.zerosLike(dtype(), new int[] {shape[0], shape[1], outH, outW});
        backend().maxUnpool2d(storage(), idx.storage(), out.storage(), planes, inPlane, outPlane);
        return record(out, "max_unpool2d", g -> {
            DenseTensor gx = engine.empty(dtype(), shape);
            backend().maxUnpool2dBackward(g.storage(), idx.storage(), gx.storage(), planes, inPlane, outPlane);
            return new DenseTensor[] {gx};
        }, this);
    }

    private ResizeGeometry resizeGeometry(int outH, int outW, String op) {
        requireRank(4, op, "(N, C, H, W)");
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException(op + ": output size must be positive, got " + outH + "x" + outW);
        }
        return new ResizeGeometry(shape[0] * shape[1], shape[2], shape[3], outH, outW);
    }

    @Override
    public DenseTensor upsampleNearest2d(int outH, int outW) {
        ResizeGeometry geo = resizeGeometry(outH, outW, "upsample_nearest2d");
        DenseTensor out = newLike(new int[] {shape[0], shape[1], outH, outW});
        backend().upsampleNearest2d(storage(), out.storage(), geo);
        return record(out, "upsample_nearest2d", g -> {
            DenseTensor gx = engine.zerosLike(dtype(), shape);
            backend().upsampleNearest2dBackward(g.storage(), gx.storage(), geo);
            return new DenseTensor[] {gx};
        }, this);
    }

    @Override
    public DenseTensor upsampleBilinear2d(int outH, int outW, boolean alignCorners) {
        ResizeGeometry geo = resizeGeometry(outH, outW, "upsample_bilinear2d");
        DenseTensor out = newLike(new int[] {shape[0], shape[1], outH, outW});
        backend().upsampleBilinear2d(storage(), out.storage(), geo, alignCorners);
        return record(out, "upsample_bilinear2d", g -> {
            DenseTensor gx = engine.zerosLike(dtype(), shape);
            backend().upsampleBilinear2dBackward(g.storage(), gx.storage(), geo, alignCorners);
            return new DenseTensor[] {gx};
        }, this);
    }

    @Override
    public DenseTensor logSoftmax(int axis) {
        int a = ShapeMath.axis(axis, shape.length);
        int outer = ShapeMath.product(shape, 0, a), n = shape[a], inner = ShapeMath.product(shape, a + 1, shape.length);
        DenseTensor out = newLike(shape);
        backend().logSoftmax(storage(), out.storage(), outer, n, inner);
        return record(out, "log_softmax", g -> {
            DenseTensor gx = newLike(shape);
            backend().logSoftmaxBackward(g.storage(), out.storage(), gx.storage(), outer, n, inner);
            return new DenseTensor[] {gx};
        }, this);
    }

    // ---- movement -----------------------------------------------------------------------------------------

    @Override
    public DenseTensor reshape(int... newShape) {
        int[] s = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("reshape: only one size may be -1, got " + ShapeMath.str(newShape));
                }
                infer = i;
            } else {
                known *= s[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || numel % known != 0) {
                throw new IllegalArgumentException("reshape: cannot infer -1 in " + ShapeMath.str(newShape) + " for " + numel + " elements");
            }
            s[infer] = (int) (numel / known);
        }
        if (ShapeMath.numel(s) != numel) {
            throw new IllegalArgumentException("reshape: shape " + ShapeMath.str(newShape) + " does not hold the "
                    + numel + " elements of " + ShapeMath.str(shape));
        }
        DenseTensor out = engine.tensor(storage().retain(), s);
        return record(out, "reshape", g -> new DenseTensor[] {g.reshape(shape)}, this);
    }

    @Override
    public DenseTensor permute(int... order) {
        if (order.length != shape.length) {
            throw new IllegalArgumentException("permute: order " + Arrays.toString(order) + " must name all " + shape.length + " axes");
        }
        int[] perm = new int[order.length];
        boolean[] seen = new boolean[order.length];
        for (int i = 0; i < order.length; i++) {
            perm[i] = ShapeMath.axis(order[i], shape.length);
            if (seen[perm[i]]) {
                throw new IllegalArgumentException("permute: axis " + order[i] + " repeated in " + Arrays.toString(order));
            }
            seen[perm[i]] = true;
        }
        int[] strides = ShapeMath.strides(shape);
        int[] outShape = new int[perm.length];
        int[] srcStrides = new int[perm.length];
        int[] inverse = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            outShape[i] = shape[perm[i]];
            srcStrides[i] = strides[perm[i]];
            inverse[perm[i]] = i;
        }
        DenseTensor out = newLike(outShape);
        backend().copyStrided(storage(), 0, srcStrides, out.storage(), 0, ShapeMath.strides(outShape), outShape);
        return record(out, "permute", g -> new DenseTensor[] {g.permute(inverse)}, this);
    }

    @Override
    public DenseTensor transpose(int axis0, int axis1) {
        int[] order = new int[shape.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        int a = ShapeMath.axis(axis0, shape.length), b = ShapeMath.axis(axis1, shape.length);
        order[a] = b;
        order[b] = a;
        return permute(order);
    }

    @Override
    public DenseTensor slice(int axis, int start, int end, int step) {
        int a = ShapeMath.axis(axis, shape.length);
        if (step < 1) {
            throw new IllegalArgumentException("slice: step must be >= 1, got " + step);
        }
        int size = shape[a];
        int s = Math.min(Math.max(start < 0 ? start + size : start, 0), size);
        int e = Math.min(Math.max(end < 0 ? end + size : end, 0), size);
        int len = e > s ? (e - s + step - 1) / step : 0;
        int[] outShape = shape.clone();
        outShape[a] = len;
        int[] strides = ShapeMath.strides(shape);
        int[] srcStrides = strides.clone();
        srcStrides[a] = strides[a] * step;
        int offset = s * strides[a];
        DenseTensor out = newLike(outShape);
        backend().copyStrided(storage(), offset, srcStrides, out.storage(), 0, ShapeMath.strides(outShape), outShape);
        return record(out, "slice", g -> {
            DenseTensor gx = engine.zerosLike(dtype(), shape);
            backend().copyStrided(g.storage(), 0, ShapeMath.strides(outShape), gx.storage(), offset, srcStrides, outShape);
            return new DenseTensor[] {gx};
        }, this);
    }

    @Override
    public DenseTensor pad(int[] padding, double value) {
        if (padding.length % 2 != 0 || padding.length / 2 > shape.length) {
            throw new IllegalArgumentException("pad: padding must hold (before, after) pairs for at most " + shape.length
                    + " axes, got " + Arrays.toString(padding));
        }
        int[] outShape = shape.clone();
        int[] before = new int[shape.length];
        for (int p = 0; p < padding.length / 2; p++) {
            int axis = shape.length - 1 - p;
            before[axis] = padding[2 * p];
            outShape[axis] = shape[axis] + padding[2 * p] + padding[2 * p + 1];
            if (outShape[axis] < 0) {
                throw new IllegalArgumentException("pad: axis " + axis + " would have negative size " + outShape[axis]);
            }
        }
        // the region copied: source starts at max(0, -before), destination at max(0, before)
        int[] region = new int[shape.length];
        int srcOffset = 0, dstOffset = 0;
        int[] inStrides = ShapeMath.strides(shape), outStrides = ShapeMath.strides(outShape);
        for (int i = 0; i < shape.length; i++) {
            int srcStart = Math.max(0, -before[i]);
            int dstStart = Math.max(0, before[i]);
            region[i] = Math.max(0, Math.min(shape[i] - srcStart, outShape[i] - dstStart));
            srcOffset += srcStart * inStrides[i];
            dstOffset += dstStart * outStrides[i];
        }
        DenseTensor out = newLike(outShape);
        backend().fill(out.storage(), value);
        final int so = srcOffset, doff = dstOffset;
        backend().copyStrided(storage(), so, inStrides, out.storage(), doff, outStrides, region);
        return record(out, "pad", g -> {
            DenseTensor gx = engine.zerosLike(dtype(), shape);
            backend().copyStrided(g.storage(), doff, outStrides, gx.storage(), so, inStrides, region);
            return new DenseTensor[] {gx};
        }, this);
    }

    @Override
    public DenseTensor expand(int... newShape) {
        int[] target = newShape.clone();
        if (target.length < shape.length) {
            throw new IllegalArgumentException("expand: target " + ShapeMath.str(newShape) + " has fewer axes than " + ShapeMath.str(shape));
        }
        for (int i = 0; i < target.length; i++) { // -1 keeps the size, as PyTorch
            int j = i - (target.length - shape.length);
            if (target[i] == -1 && j >= 0) {
                target[i] = shape[j];
            }
        }
        int[] strides = ShapeMath.broadcastStrides(shape, target);
        DenseTensor out = newLike(target);
        backend().copyStrided(storage(), 0, strides, out.storage(), 0, ShapeMath.strides(target), target);
        return record(out, "expand", g -> new DenseTensor[] {reduceTo(g, shape)}, this);
    }

    static Tensor cat(Engine engine, List<Tensor> tensors, int axis) {
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("cat needs at least one tensor");
        }
        DenseTensor first = of(tensors.get(0));
        int rank = first.shape.length;
        int a = ShapeMath.axis(axis, rank);
        DenseTensor[] parts = new DenseTensor[tensors.size()];
        int total = 0;
        for (int i = 0; i < parts.length; i++) {
            DenseTensor t = first.same(tensors.get(i));
            for (int d = 0; d < rank; d++) {
                if (d != a && (t.shape.length != rank || t.shape[d] != first.shape[d])) {
                    throw new IllegalArgumentException("cat: tensor " + i + " has shape " + ShapeMath.str(t.shape)
                            + " but tensor 0 has " + ShapeMath.str(first.shape) + "; only axis " + a + " may differ");
                }
            }
            parts[i] = t;
            total += t.shape[a];
        }
        int[] outShape = first.shape.clone();
        outShape[a] = total;
        int[] outStrides = ShapeMath.strides(outShape);
        DenseTensor out = engine.empty(first.dtype(), outShape);
        int[] offsets = new int[parts.length];
        int at = 0;
        for (int i = 0; i < parts.length; i++) {
            offsets[i] = at * outStrides[a];
            engine.backendImpl().copyStrided(parts[i].storage(), 0, ShapeMath.strides(parts[i].shape), out.storage(),
                    offsets[i], outStrides, parts[i].shape);
            at += parts[i].shape[a];
        }
        return first.record(out, "cat", g -> {
            DenseTensor[] grads = new DenseTensor[parts.length];
            for (int i = 0; i < parts.length; i++) {
                if (parts[i].requiresGrad) {
                    grads[i] = engine.empty(first.dtype(), parts[i].shape);
                    engine.backendImpl().copyStrided(g.storage(), offsets[i], outStrides, grads[i].storage(), 0,
                            ShapeMath.strides(parts[i].shape), parts[i].shape);
                }
            }
            return grads;
        }, parts);
    }

    private DenseTensor indexVector(Tensor index, String op) {
        DenseTensor idx = of(index);
        if (idx.dtype() != DType.INT64) {
            throw new IllegalArgumentException(op + ": index must be INT64, got " + idx.dtype() + "; convert with to(DType.INT64)");
        }
        return idx;
    }

    @Override
    public DenseTensor indexSelect(int axis, Tensor index) {
        int a = ShapeMath.axis(axis, shape.length);
        DenseTensor idx = indexVector(index, "index_select");
        if (idx.shape.length != 1) {
            throw new IllegalArgumentException("index_select: index must be a vector, got shape " + ShapeMath.str(idx.shape));
        }
        int outer = ShapeMath.product(shape, 0, a), inner = ShapeMath.product(shape, a + 1, shape.length);
        int nIndex = idx.shape[0];
        int[] outShape = shape.clone();
        outShape[a] = nIndex;
        DenseTensor out = newLike(outShape);
        backend().indexSelect(storage(), idx.storage(), out.storage(), outer, shape[a], nIndex, inner);
        return record(out, "index_select", g -> {
            DenseTensor gx = engine.zerosLike(dtype(), shape);
            backend().indexAdd(g.storage(), idx.storage(), gx.storage(), outer, shape[a], nIndex, inner);
            return new DenseTensor[] {gx};
        }, this);
    }

    @Override
    public DenseTensor gather(int axis, Tensor index) {
        int a = ShapeMath.axis(axis, shape.length);
        DenseTensor idx = indexVector(index, "gather");
        if (idx.shape.length != shape.length) {
            throw new IllegalArgumentException("gather: index rank " + idx.shape.length + " must equal input rank " + shape.length);
        }
        for (int d = 0; d < shape.length; d++) {
            if (d != a && idx.shape[d] > shape[d]) {
                throw new IllegalArgumentException("gather: index shape " + ShapeMath.str(idx.shape) + " exceeds input shape "
                        + ShapeMath.str(shape) + " on axis " + d);
            }
        }
        DenseTensor out = newLike(idx.shape);
        backend().gather(storage(), shape, idx.storage(), idx.shape, a, out.storage());
        return record(out, "gather", g -> {
            DenseTensor gx = engine.zerosLike(dtype(), shape);
            backend().scatterAdd(g.storage(), idx.storage(), idx.shape, a, gx.storage(), shape);
            return new DenseTensor[] {gx};
        }, this);
    }

    @Override
    public DenseTensor to(DType target) {
        DType source = dtype();
        if (target == source) {
            return this;
        }
        DenseTensor out = engine.empty(target, shape);
        backend().convert(storage(), out.storage(), numel);
        if (!target.isFloatingPoint()) {
            return out;
        }
        return record(out, "to", g -> new DenseTensor[] {g.to(source)}, this);
    }

    // ---- data ---------------------------------------------------------------------------------------------

    @Override
    public double item() {
        if (numel != 1) {
            throw new IllegalStateException("item() needs a one-element tensor, this has shape " + ShapeMath.str(shape));
        }
        return storage().get(0);
    }

    @Override
    public float[] toFloatArray() {
        Storage s = storage();
        float[] out = new float[numel];
        if (s.dtype() == DType.FLOAT32) {
            s.floats().get(0, out);
        } else {
            for (int i = 0; i < numel; i++) {
                out[i] = (float) s.get(i);
            }
        }
        return out;
    }

    @Override
    public double[] toDoubleArray() {
        Storage s = storage();
        double[] out = new double[numel];
        if (s.dtype() == DType.FLOAT64) {
            s.doubles().get(0, out);
        } else {
            for (int i = 0; i < numel; i++) {
                out[i] = s.get(i);
            }
        }
        return out;
    }

    @Override
    public long[] toLongArray() {
        Storage s = storage();
        long[] out = new long[numel];
        for (int i = 0; i < numel; i++) {
            out[i] = s.getLong(i);
        }
        return out;
    }

    @Override
    public void assign(Tensor source) {
        DenseTensor src = of(source);
        if (gradFn != null) {
            throw new IllegalStateException("assign: this tensor was computed by a recorded op; assign only to leaves"
                    + " (parameters, buffers) or detach() first");
        }
        if (src.engine != engine) {
            throw new IllegalArgumentException("assign: source lives on another engine");
        }
        int[] strides = ShapeMath.broadcastStrides(src.shape, shape);
        if (src.dtype() == dtype()) {
            backend().copyStrided(src.storage(), 0, strides, storage(), 0, ShapeMath.strides(shape), shape);
        } else {
            DenseTensor converted = src.detach().to(dtype());
            backend().copyStrided(converted.storage(), 0, strides, storage(), 0, ShapeMath.strides(shape), shape);
            converted.close();
        }
    }

    @Override
    public void close() {
        if (storage != null) {
            storage.release();
            storage = null;
        }
        if (grad != null) {
            grad.close();
            grad = null;
        }
        gradFn = null;
        owner = null;
    }
}
