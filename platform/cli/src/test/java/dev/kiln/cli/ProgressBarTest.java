package dev.kiln.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ProgressBarTest {

    private static String plainLine(int epoch, int epochs, int batch, int batches, Map<String, Double> m, double rate) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, 1);
        bar.batchSize(100);
        bar.step(epoch, epochs, batch, batches, batch + 1, m, rate);
        return bytes.toString(StandardCharsets.UTF_8).strip();
    }

    @Test
    void supervisedStepsShowLossAccuracyRateAndTheWholeRunsEta() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("loss", 0.31214);
        m.put("accuracy", 0.887);
        m.put("lr", 0.001);
        // 1,000 img/s at batch 100 = 10 batches/s; 50 left in this epoch + 2 epochs of 100 = 250 batches = 25 s
        assertEquals("epoch 1/3 50/100 loss 0.3121 acc 0.8870 1000 img/s ETA 0:25", plainLine(0, 3, 49, 100, m, 1000));
    }

    @Test
    void otherTrainersShowTheirOwnMetricsAndNoMadeUpAccuracy() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("loss", 248.79);
        m.put("reconstruction", 233.1);
        m.put("kl", 15.69);
        assertEquals("epoch 2/2 100/100 loss 248.8 reconstruction 233.1 kl 15.7 500 img/s ETA 0:00",
                plainLine(1, 2, 99, 100, m, 500));
        Map<String, Double> gan = new LinkedHashMap<>();
        gan.put("d_loss", 1.2);
        gan.put("g_loss", 0.8);
        assertEquals("epoch 1/1 1/10 d_loss 1.2000 g_loss 0.8000 0 img/s ETA --:--", plainLine(0, 1, 0, 10, gan, 0));
    }
}
