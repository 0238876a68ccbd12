package dev.kiln.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The cases of {@code kiln bench ops} and their FLOP counts — the one place the formulas live
 * ({@code tools/bench/torch_ops_bench.py} mirrors them for the PyTorch peer).
 *
 * <ul>
 *   <li>GEMM {@code n×n · n×n}: {@code 2·n³}.</li>
 *   <li>Convolution forward: {@code 2·N·Cout·Hout·Wout·(Cin/groups)·kH·kW}; forward + backward
 *       (input, weight and bias gradients) counts {@code 3×} forward.</li>
 *   <li>Transposed convolution: the count of the convolution it is the input-gradient of
 *       ({@code (N, Cout, Hout, Wout) → (N, Cin, H, W)}), so roles of input and output swap.</li>
 *   <li>MLP step: {@code 3 × 2·B·Σ in·out} over its linear layers (element-wise work not counted).</li>
 * </ul>
 *
 * @param name     stable id, joined with the PyTorch output on (name, pass)
 * @param kind     what the workload runs
 * @param backward whether the timed step includes the backward pass ({@code "fwd+bwd"})
 * @param n        batch (GEMM: matrix size)
 * @param cin      input channels (MLP: unused)
 * @param h        input height
 * @param w        input width
 * @param cout     output channels
 * @param k        square kernel size
 * @param stride   stride
 * @param pad      zero padding
 */
public record BenchCase(String name, Kind kind, boolean backward,
                        int n, int cin, int h, int w, int cout, int k, int stride, int pad) {

    /** The workload families. */
    public enum Kind { GEMM, CONV, CONV_TRANSPOSE, MLP_STEP }

    /** Layer widths of the MLP step case, input first. */
    public static final int[] MLP_DIMS = {784, 256, 128, 10};
    /** Batch of the MLP step case. */
    public static final int MLP_BATCH = 128;

    /** Every case, in output order. */
    public static List<BenchCase> all() {
        List<BenchCase> cases = new ArrayList<>();
        for (int n : new int[] {256, 512, 1024, 2048}) {
            cases.add(new BenchCase("gemm-" + n, Kind.GEMM, false, n, 0, 0, 0, 0, 0, 0, 0));
        }
        for (boolean bwd : new boolean[] {false, true}) {
            cases.add(conv("conv-lenet1", bwd, 64, 1, 28, 28, 6, 5, 1, 2));
        }
        for (boolean bwd : new boolean[] {false, true}) {
            cases.add(conv("conv-lenet2", bwd, 64, 6, 14, 14, 16, 5, 1, 0));
        }
        for (boolean bwd : new boolean[] {false, true}) {
            cases.add(conv("conv-keras2", bwd, 64, 32, 28, 28, 64, 3, 1, 1));
        }
        for (boolean bwd : new boolean[] {false, true}) {
            cases.add(new BenchCase("convt-dcgan", Kind.CONV_TRANSPOSE, bwd, 64, 128, 7, 7, 64, 4, 2, 1));
        }
        cases.add(new BenchCase("mlp-step", Kind.MLP_STEP, true, MLP_BATCH, 0, 0, 0, 0, 0, 0, 0));
        return cases;
    }

    private static BenchCase conv(String name, boolean bwd, int n, int cin, int h, int w, int cout, int k, int s, int p) {
        return new BenchCase(name, Kind.CONV, bwd, n, cin, h, w, cout, k, s, p);
    }

    /** {@code "fwd"} or {@code "fwd+bwd"}. */
    public String pass() {
        return backward ? "fwd+bwd" : "fwd";
    }

    /** Output height: convolution {@code (H + 2p - k)/s + 1}, transposed {@code (H-1)·s - 2p + k}. */
    public int hOut() {
        return kind == Kind.CONV_TRANSPOSE ? (h - 1) * stride - 2 * pad + k : (h + 2 * pad - k) / stride + 1;
    }

    public int wOut() {
        return kind == Kind.CONV_TRANSPOSE ? (w - 1) * stride - 2 * pad + k : (w + 2 * pad - k) / stride + 1;
    }

    /** Floating-point operations of one timed step. */
    public long flops() {
        return switch (kind) {
            case GEMM -> gemmFlops(n);
            case CONV -> convFlops(n, cin, cout, hOut(), wOut(), k, k, 1) * (backward ? 3 : 1);
            // the convolution (N, cout, hOut, wOut) -> (N, cin, h, w) whose input-gradient this is
            case CONV_TRANSPOSE -> convFlops(n, cout, cin, h, w, k, k, 1) * (backward ? 3 : 1);
            case MLP_STEP -> mlpStepFlops(n, MLP_DIMS);
        };
    }

    /** {@code 2·n³}. */
    public static long gemmFlops(int n) {
        return 2L * n * n * n;
    }

    /** {@code 2·N·Cout·Hout·Wout·(Cin/groups)·kH·kW}. */
    public static long convFlops(int n, int cin, int cout, int hOut, int wOut, int kh, int kw, int groups) {
        return 2L * n * cout * hOut * wOut * (cin / groups) * kh * kw;
    }

    /** {@code 3 × 2·B·Σ dims[i]·dims[i+1]}: forward GEMMs plus twice that for the backward pass. */
    public static long mlpStepFlops(int batch, int[] dims) {
        long macs = 0;
        for (int i = 0; i + 1 < dims.length; i++) {
            macs += (long) dims[i] * dims[i + 1];
        }
        return 3 * 2L * batch * macs;
    }

    /** Shapes for the JSON line, in PyTorch's terms. */
    public Map<String, Object> shapeInfo() {
        return switch (kind) {
            case GEMM -> Json.object("m", n, "k", n, "n", n);
            case CONV -> Json.object("input", List.of(n, cin, h, w), "weight", List.of(cout, cin, k, k), "stride", stride, "pad", pad);
            case CONV_TRANSPOSE -> Json.object("input", List.of(n, cin, h, w), "weight", List.of(cin, cout, k, k), "stride", stride, "pad", pad);
            case MLP_STEP -> Json.object("dims", List.of(MLP_DIMS[0], MLP_DIMS[1], MLP_DIMS[2], MLP_DIMS[3]), "batch", n);
        };
    }
}
