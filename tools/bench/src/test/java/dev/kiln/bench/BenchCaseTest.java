package dev.kiln.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchCaseTest {

    private static BenchCase find(String name, String pass) {
        return BenchCase.all().stream().filter(c -> c.name().equals(name) && c.pass().equals(pass)).findFirst().orElseThrow();
    }

    @Test
    void gemmCountsTwoNCubed() {
        assertEquals(2L * 1024 * 1024 * 1024, find("gemm-1024", "fwd").flops());
    }

    @Test
    void convolutionShapesFollowPyTorch() {
        BenchCase lenet1 = find("conv-lenet1", "fwd");
        assertEquals(28, lenet1.hOut());
        assertEquals(10, find("conv-lenet2", "fwd").hOut());
        assertEquals(14, find("convt-dcgan", "fwd").hOut()); // (7-1)*2 - 2 + 4
    }

    @Test
    void convolutionFlopsMatchTheFormulaAndBackwardTriples() {
        // 2·N·Cout·Hout·Wout·Cin·kH·kW for LeNet's first layer
        assertEquals(2L * 64 * 6 * 28 * 28 * 1 * 5 * 5, find("conv-lenet1", "fwd").flops());
        assertEquals(3 * find("conv-keras2", "fwd").flops(), find("conv-keras2", "fwd+bwd").flops());
    }

    @Test
    void transposedConvolutionCountsTheConvolutionItIsTheGradientOf() {
        // conv (64, 64, 14, 14) -> (64, 128, 7, 7), k 4: 2·64·128·7·7·64·16
        assertEquals(2L * 64 * 128 * 7 * 7 * 64 * 4 * 4, find("convt-dcgan", "fwd").flops());
    }

    @Test
    void mlpStepCountsForwardGemmsThreeTimes() {
        assertEquals(3L * 2 * 128 * (784 * 256 + 256 * 128 + 128 * 10), find("mlp-step", "fwd+bwd").flops());
    }

    @Test
    void casesAreTheThirteenOfTheIssue() {
        List<String> ids = BenchCase.all().stream().map(c -> c.name() + "/" + c.pass()).toList();
        assertEquals(13, ids.size());
        assertEquals(13, ids.stream().distinct().count());
    }

    @Test
    void casesRegexMatchesNameOrNameSlashPass() {
        OpsBenchmark.Options o = OpsBenchmark.Options.defaults();
        OpsBenchmark b = new OpsBenchmark(new OpsBenchmark.Options(1, null, "^conv-.*/fwd\\+bwd$", o.minTimeMs(), o.minIterations(), o.warmupMs()));
        List<BenchCase> selected = b.selectedCases();
        assertEquals(3, selected.size());
        assertTrue(selected.stream().allMatch(BenchCase::backward));
    }
}
