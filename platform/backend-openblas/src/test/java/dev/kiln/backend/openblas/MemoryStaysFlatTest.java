package dev.kiln.backend.openblas;

import dev.kiln.api.tensor.Conv2dOptions;
import dev.kiln.api.tensor.DType;
import dev.kiln.api.tensor.Generator;
import dev.kiln.api.tensor.GradMode;
import dev.kiln.api.tensor.MemoryScope;
import dev.kiln.api.tensor.Pool2dOptions;
import dev.kiln.api.tensor.Tensor;
import dev.kiln.engine.Engine;
import dev.kiln.engine.backend.Backends;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 10,000 training steps of a small conv net on the native backend: tensor bytes return to the same
 * value after every step and the process's resident set stops growing once warm.
 */
class MemoryStaysFlatTest {

    private static final int STEPS = 10_000;

    @Test
    void tenThousandConvNetStepsKeepNativeBytesAndRssFlat() throws IOException {
        Engine t = new Engine(Backends.discover().select("cpu", 2).backend());
        Generator g = t.generator(1);
        Tensor w1 = t.normal(g, 0, 0.2, DType.FLOAT32, 4, 1, 3, 3).requiresGrad(true);
        Tensor b1 = t.zeros(DType.FLOAT32, 4).requiresGrad(true);
        Tensor w2 = t.normal(g, 0, 0.1, DType.FLOAT32, 4 * 6 * 6, 10).requiresGrad(true);
        List<Tensor> params = List.of(w1, b1, w2);
        Tensor x = t.normal(g, 0, 1, DType.FLOAT32, 8, 1, 12, 12);
        Tensor labels = t.of(new long[] {0, 1, 2, 3, 4, 5, 6, 7}, 8, 1);

        long baseline = -1;
        long rssWarm = 0;
        double firstLoss = 0, lastLoss = 0;
        for (int step = 1; step <= STEPS; step++) {
            try (MemoryScope s = t.scope()) {
                Tensor h = x.conv2d(w1, b1, Conv2dOptions.of(1, 1)).relu().maxPool2d(Pool2dOptions.of(2)).values();
                Tensor logits = h.reshape(8, -1).matmul(w2);
                Tensor loss = logits.logSoftmax(1).gather(1, labels).mean().neg();
                loss.backward();
                try (GradMode off = t.noGrad()) {
                    for (Tensor p : params) {
                        p.assign(p.sub(p.grad().mul(0.05)));
                        p.zeroGrad();
                    }
                }
                if (step == 1) {
                    firstLoss = loss.item();
                }
                lastLoss = loss.item();
            }
            if (step == 100) {
                baseline = t.liveBytes();
            } else if (step > 100) {
                assertEquals(baseline, t.liveBytes(), "tensor bytes changed at step " + step);
            }
            if (step == 2_000) {
                rssWarm = rssBytes();
            }
            if (step % 2000 == 0) {
                System.out.printf("step %d: RSS %.1f MiB, JavaCPP tracked %d bytes, heap used %.1f MiB%n", step, rssBytes() / 1048576.0,
                        org.bytedeco.javacpp.Pointer.totalBytes(), (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) / 1048576.0);
            }
        }
        long rssEnd = rssBytes();
        System.out.printf("memory after %d steps: tensor bytes %d (flat since step 100), RSS %.1f MiB at step 2000 -> %.1f MiB at step %d; loss %.3f -> %.3f%n",
                STEPS, baseline, rssWarm / 1048576.0, rssEnd / 1048576.0, STEPS, firstLoss, lastLoss);
        assertTrue(lastLoss < firstLoss, "the net did not learn: " + firstLoss + " -> " + lastLoss);
        assertTrue(rssEnd - rssWarm < 64L << 20, "RSS grew by " + (rssEnd - rssWarm) / 1048576 + " MiB after warm-up");
    }

    private static long rssBytes() throws IOException {
        for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
