package dev.kiln.backend.openblas;

import dev.kiln.api.tensor.Conv2dOptions;
import dev.kiln.api.tensor.DType;
import dev.kiln.engine.backend.BinaryOp;
import dev.kiln.engine.backend.ConvGeometry;
import dev.kiln.engine.backend.ReduceOp;
import dev.kiln.engine.backend.Storage;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_full;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Kernel microbenchmark for tuning (not the official {@code kiln bench ops}): GEMM through the
 * backend against a raw {@code cblas_sgemm} in the same process, measured interleaved, and the four
 * convolution cases per pass and layout. Prints medians.
 *
 * <p>Run: {@code java -cp <test classpath> dev.kiln.backend.openblas.NativeKernelBench [threads] [seconds-per-case]}
 */
public final class NativeKernelBench {

    private NativeKernelBench() {
    }

    interface Body {
        void run();
    }

    /** The fastest run of the last {@link #medianMs} call (robust to other load on the machine). */
    static double lastMin;

    static double medianMs(Body body, double seconds) {
        for (int i = 0; i < 3; i++) {
            body.run();
        }
        List<Double> times = new ArrayList<>();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (times.size() < 5 || (System.nanoTime() < end && times.size() < 2000)) {
            long t0 = System.nanoTime();
            body.run();
            times.add((System.nanoTime() - t0) / 1e6);
        }
        lastMin = times.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        return median(times);
    }

    static double median(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    static Storage random(NativeCpuBackend b, int n, Random rng) {
        Storage s = b.allocate(DType.FLOAT32, n);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rng.nextGaussian() * 0.1);
        }
        s.floats().put(0, v);
        return s;
    }

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 1.0;
        String only = args.length > 2 ? args[2] : "all";
        NativeCpuBackend cpu = new NativeCpuBackend(threads);
        System.out.println("# " + cpu.describe());
        System.out.println("# OMP_WAIT_POLICY=" + System.getenv("OMP_WAIT_POLICY") + " OPENBLAS_NUM_THREADS="
                + System.getenv("OPENBLAS_NUM_THREADS") + " cores=" + Runtime.getRuntime().availableProcessors());
        Random rng = new Random(1);
        if (only.equals("all") || only.equals("gemm")) {
            gemm(cpu, rng, seconds);
        }
        if (only.equals("all") || only.equals("conv")) {
            conv(cpu, threads, rng, seconds);
        }
        if (only.equals("layouts")) {
            layouts(threads, rng, seconds);
        }
        if (only.equals("mix")) {
            mix(cpu, rng, seconds);
        }
        if (only.equals("all") || only.equals("ew")) {
            elementwise(cpu, rng, seconds);
        }
        cpu.close();
    }

    static void gemm(NativeCpuBackend cpu, Random rng, double seconds) {
        for (int n : new int[]{256, 512, 1024, 2048}) {
            Storage a = random(cpu, n * n, rng);
            Storage b = random(cpu, n * n, rng);
            Storage c = cpu.allocate(DType.FLOAT32, n * n);
            FloatPointer ra = new FloatPointer((long) n * n);
            FloatPointer rb = new FloatPointer((long) n * n);
            FloatPointer rc = new FloatPointer((long) n * n);
            ra.put(new float[n * n]);
            rb.put(new float[n * n]);
            Body kiln = () -> cpu.matmul(a, false, false, b, false, false, c, 1, n, n, n);
            Body raw = () -> openblas_full.cblas_sgemm(101, 111, 111, n, n, n, 1f, ra, n, rb, n, 0f, rc, n);
            // oneDNN sgemm is row-major (the operands are zero-filled: only the time matters)
            Body dnnl = () -> org.bytedeco.dnnl.global.dnnl.dnnl_sgemm((byte) 'N', (byte) 'N', n, n, n, 1f, rb, n, ra, n, 0f, rc, n);
            // interleave: alternate short rounds so that background load hits both alike
            List<Double> tk = new ArrayList<>();
            List<Double> tr = new ArrayList<>();
            List<Double> td = new ArrayList<>();
            // phases, not fine interleaving: switching between OpenBLAS's and OpenMP's pools costs
            // more than either (see NativeCpuBackend#dnnlGemm)
            for (int r = 0; r < 2; r++) {
                tk.add(medianMs(kiln, seconds / 2));
                tr.add(medianMs(raw, seconds / 2));
                td.add(medianMs(dnnl, seconds / 2));
            }
            double flops = 2.0 * n * n * n;
            double k = median(tk);
            double rr = median(tr);
            double dd = median(td);
            System.out.printf("{\"case\":\"gemm-%d\",\"pass\":\"fwd\",\"median_ms\":%.3f,\"gflops\":%.1f,\"raw_ms\":%.3f,\"raw_gflops\":%.1f,\"ratio\":%.3f,\"dnnl_sgemm_gflops\":%.1f}%n",
                    n, k, flops / k / 1e6, rr, flops / rr / 1e6, rr / k, flops / dd / 1e6);
            a.release();
            b.release();
            c.release();
            ra.close();
            rb.close();
            rc.close();
        }
    }

    static ConvGeometry geometry(int n, int cIn, int h, int w, int cOut, int k, int stride, int pad) {
        Conv2dOptions o = Conv2dOptions.of(stride, pad);
        int outH = (h + 2 * pad - k) / stride + 1;
        int outW = (w + 2 * pad - k) / stride + 1;
        return new ConvGeometry(n, cIn, h, w, cOut, k, k, outH, outW, o);
    }

    /** One benchmark case: its geometry, whether it is a transposed convolution. */
    record Case(String name, ConvGeometry g, boolean transposed) {
    }

    static List<Case> cases() {
        return List.of(
                new Case("conv-lenet1", geometry(64, 1, 28, 28, 6, 5, 1, 2), false),
                new Case("conv-lenet2", geometry(64, 6, 14, 14, 16, 5, 1, 0), false),
                new Case("conv-keras2", geometry(64, 32, 28, 28, 64, 3, 1, 1), false),
                // conv_transpose 64x128x7x7 -> 64, k4 s2 p1 (output 14x14): the convolution 64x64x14x14 -> 128
                new Case("convt-dcgan", geometry(64, 64, 14, 14, 128, 4, 2, 1), true));
    }

    static void conv(NativeCpuBackend cpu, int threads, Random rng, double seconds) {
        for (Case c : cases()) {
            ConvGeometry g = c.g;
            int xs = g.n() * g.cIn() * g.h() * g.w();
            int ws = g.cOut() * g.cInPerGroup() * g.kH() * g.kW();
            int ys = g.n() * g.cOut() * g.outH() * g.outW();
            Storage x = random(cpu, xs, rng);
            Storage w = random(cpu, ws, rng);
            Storage y = random(cpu, ys, rng);
            Storage gx = cpu.allocate(DType.FLOAT32, xs);
            Storage gw = cpu.allocate(DType.FLOAT32, ws);
            Storage gy = random(cpu, ys, rng);
            int biasLen = c.transposed ? g.cIn() : g.cOut();
            Storage bias = random(cpu, biasLen, rng);
            Storage gb = cpu.allocate(DType.FLOAT32, biasLen);
            int bigN = c.transposed ? xs : ys;
            int plane = c.transposed ? g.h() * g.w() : g.outH() * g.outW();
            Storage partial = cpu.allocate(DType.FLOAT32, biasLen * plane);
            double flops = g.flops();
            Body fwd;
            Body fwdBwd;
            if (!c.transposed) {
                fwd = () -> cpu.conv2d(x, w, bias, y, g);
                fwdBwd = () -> {
                    cpu.conv2d(x, w, bias, y, g);
                    cpu.conv2dBackwardInput(gy, w, gx, g);
                    cpu.conv2dBackwardWeight(x, gy, gw, g);
                    biasGrad(cpu, gy, partial, gb, g.n(), biasLen, plane);
                };
            } else {
                // forward of the transposed conv: input y (64x128x7x7) -> x-shaped output, plus bias
                int[] shape = {g.n(), g.cIn(), g.h() * g.w()};
                int[] full = {g.cIn() * g.h() * g.w(), g.h() * g.w(), 1};
                int[] bs = {0, 1, 0};
                fwd = () -> {
                    cpu.conv2dBackwardInput(y, w, gx, g);
                    cpu.binary(BinaryOp.ADD, gx, full, bias, bs, gx, shape);
                };
                fwdBwd = () -> {
                    cpu.conv2dBackwardInput(y, w, gx, g);
                    cpu.binary(BinaryOp.ADD, gx, full, bias, bs, gx, shape);
                    // backward: grad of its input = conv2d(gradOut, w); grad of w = backward-weight(gradOut, input)
                    cpu.conv2d(x, w, null, gy, g);
                    cpu.conv2dBackwardWeight(x, y, gw, g);
                    biasGrad(cpu, x, partial, gb, g.n(), biasLen, plane);
                };
            }
            double f = medianMs(fwd, seconds);
            double fMin = lastMin;
            double fb = medianMs(fwdBwd, seconds);
            double fbMin = lastMin;
            System.out.printf("{\"case\":\"%s\",\"pass\":\"fwd\",\"threads\":%d,\"median_ms\":%.3f,\"gflops\":%.1f,\"min_ms\":%.3f}%n",
                    c.name, threads, f, flops / f / 1e6, fMin);
            System.out.printf("{\"case\":\"%s\",\"pass\":\"fwd+bwd\",\"threads\":%d,\"median_ms\":%.3f,\"gflops\":%.1f,\"min_ms\":%.3f}%n",
                    c.name, threads, fb, 3 * flops / fb / 1e6, fbMin);
            for (Storage s : new Storage[]{x, w, y, gx, gw, gy, bias, gb, partial}) {
                s.release();
            }
        }
    }

    /** Bias gradient: sum over batch, then over the plane (two middle/last-axis reductions). */
    static void biasGrad(NativeCpuBackend cpu, Storage gy, Storage partial, Storage gb, int n, int c, int plane) {
        cpu.reduce(ReduceOp.SUM, gy, partial, 1, n, c * plane);
        cpu.reduce(ReduceOp.SUM, partial, gb, c, plane, 1);
    }

    /** Per pass and layout timings, to choose the default layouts. */
    static void layouts(int threads, Random rng, double seconds) {
        String[] passNames = {"fwd", "fwd+bias", "bwd-data", "bwd-weights"};
        for (DnnlConv.Layout layout : DnnlConv.Layout.values()) {
            DnnlConv.Layout[] ls = {layout, layout, layout, layout};
            NativeCpuBackend cpu = new NativeCpuBackend(threads, ls);
            for (Case c : cases()) {
                ConvGeometry g = c.g;
                int xs = g.n() * g.cIn() * g.h() * g.w();
                int ws = g.cOut() * g.cInPerGroup() * g.kH() * g.kW();
                int ys = g.n() * g.cOut() * g.outH() * g.outW();
                Storage x = random(cpu, xs, rng);
                Storage w = random(cpu, ws, rng);
                Storage y = random(cpu, ys, rng);
                Storage b = random(cpu, g.cOut(), rng);
                Body[] bodies = {
                        () -> cpu.conv2d(x, w, null, y, g),
                        () -> cpu.conv2d(x, w, b, y, g),
                        () -> cpu.conv2dBackwardInput(y, w, x, g),
                        () -> cpu.conv2dBackwardWeight(x, y, w, g)};
                StringBuilder line = new StringBuilder();
                for (int p = 0; p < 4; p++) {
                    double ms = medianMs(bodies[p], seconds / 4);
                    line.append(String.format("  %s %.3f ms (min %.3f) %.0f GF/s [%s]", passNames[p], ms, lastMin, g.flops() / lastMin / 1e6,
                            cpu.convImplementation(p, g)));
                }
                System.out.println(layout + " " + c.name + line);
                for (Storage s : new Storage[]{x, w, y, b}) {
                    s.release();
                }
            }
            cpu.close();
        }
    }

    /**
     * OpenBLAS (its own pthreads) and oneDNN (OpenMP) alternating, as in a training step: the mixed
     * loop against the sum of each part timed alone. A ratio well above 1 means the idle pool's
     * spinning threads slow the other one down.
     */
    static void mix(NativeCpuBackend cpu, Random rng, double seconds) {
        int n = 512;
        Storage a = random(cpu, n * n, rng);
        Storage b = random(cpu, n * n, rng);
        Storage c = cpu.allocate(DType.FLOAT32, n * n);
        ConvGeometry g = cases().get(1).g;
        int xs = g.n() * g.cIn() * g.h() * g.w();
        int ws = g.cOut() * g.cInPerGroup() * g.kH() * g.kW();
        int ys = g.n() * g.cOut() * g.outH() * g.outW();
        Storage x = random(cpu, xs, rng);
        Storage w = random(cpu, ws, rng);
        Storage y = random(cpu, ys, rng);
        Body gemm = () -> cpu.matmul(a, false, false, b, false, false, c, 1, n, n, n);
        Body conv = () -> {
            cpu.conv2d(x, w, null, y, g);
            cpu.conv2dBackwardInput(y, w, x, g);
            cpu.conv2dBackwardWeight(x, y, w, g);
        };
        Body both = () -> {
            gemm.run();
            conv.run();
        };
        for (int r = 0; r < 3; r++) {
            double tg = medianMs(gemm, seconds / 3);
            double mg = lastMin;
            double tc = medianMs(conv, seconds / 3);
            double mc = lastMin;
            double tb = medianMs(both, seconds / 3);
            double mb = lastMin;
            System.out.printf("# mix gemm-512 + lenet2 conv passes: alone %.3f + %.3f = %.3f ms, alternating %.3f ms (x%.2f); mins %.3f + %.3f vs %.3f (x%.2f)%n",
                    tg, tc, tg + tc, tb, tb / (tg + tc), mg, mc, mb, mb / (mg + mc));
        }
        for (Storage s : new Storage[]{a, b, c, x, w, y}) {
            s.release();
        }
    }

    static void elementwise(NativeCpuBackend cpu, Random rng, double seconds) {
        int n = 1 << 20;
        Storage a = random(cpu, n, rng);
        Storage b = random(cpu, n, rng);
        Storage o = cpu.allocate(DType.FLOAT32, n);
        Storage row = random(cpu, 1024, rng);
        int[] shape = {1024, 1024};
        int[] full = {1024, 1};
        int[] bcast = {0, 1};
        double add = medianMs(() -> cpu.binary(BinaryOp.ADD, a, full, b, full, o, shape), seconds / 4);
        double bias = medianMs(() -> cpu.binary(BinaryOp.ADD, a, full, row, bcast, o, shape), seconds / 4);
        double relu = medianMs(() -> cpu.unary(dev.kiln.engine.backend.UnaryOp.RELU, a, o, n), seconds / 4);
        double sum = medianMs(() -> cpu.reduce(ReduceOp.SUM, a, o, 1024, 1024, 1), seconds / 4);
        Storage big = random(cpu, 64 * 64 * 28 * 28, rng);
        Storage part = cpu.allocate(DType.FLOAT32, 64 * 64 * 28);
        Storage part2 = cpu.allocate(DType.FLOAT32, 64 * 64);
        Storage gb = cpu.allocate(DType.FLOAT32, 64);
        double biasGrad = medianMs(() -> {
            cpu.reduce(ReduceOp.SUM, big, part, 64 * 64 * 28, 28, 1);
            cpu.reduce(ReduceOp.SUM, part, part2, 64 * 64, 28, 1);
            cpu.reduce(ReduceOp.SUM, part2, gb, 1, 64, 64);
        }, seconds / 4);
        System.out.printf("# conv-keras2 bias gradient (sum over 0,2,3 of 64x64x28x28, as the engine does it): %.3f ms%n", biasGrad);
        for (Storage s : new Storage[]{big, part, part2, gb}) {
            s.release();
        }
        double copyT = medianMs(() -> cpu.copyStrided(a, 0, new int[]{1, 1024}, o, 0, new int[]{1024, 1}, shape), seconds / 4);
        StringBuilder ops = new StringBuilder("# unary 1M floats (ms):");
        for (dev.kiln.engine.backend.UnaryOp op : dev.kiln.engine.backend.UnaryOp.values()) {
            ops.append(String.format(" %s %.3f", op, medianMs(() -> cpu.unary(op, a, o, n), seconds / 10)));
        }
        System.out.println(ops);
        ops = new StringBuilder("# binary 1M floats (ms):");
        for (BinaryOp op : BinaryOp.values()) {
            ops.append(String.format(" %s %.3f", op, medianMs(() -> cpu.binary(op, a, full, b, full, o, shape), seconds / 10)));
        }
        System.out.println(ops);
        System.out.printf("# element-wise 1M floats: add %.3f ms (%.1f GB/s), bias-add %.3f ms, relu %.3f ms, row-sum %.3f ms, transpose-copy %.3f ms%n",
                add, 12.0 * n / add / 1e6, bias, relu, sum, copyT);
        a.release();
        b.release();
        o.release();
        row.release();
    }
}
