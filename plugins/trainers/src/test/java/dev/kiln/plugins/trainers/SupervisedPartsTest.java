package dev.kiln.plugins.trainers;

import dev.kiln.model.MapParams;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SupervisedPartsTest {

    @Test
    void metricsCountTopOneTopKAndConfusion() {
        ClassificationMetrics m = new ClassificationMetrics(3, 2, true);
        // rows: predicted 0 (true 0), predicted 1 with true class second (true 2), ties go to the lower index (true 1)
        m.add(new float[] {3, 1, 0, 0, 5, 4, 1, 1, 0}, new long[] {0, 2, 1}, 0.5);
        assertEquals(1.0 / 3, m.accuracy(), 1e-12);
        assertEquals(1.0, m.topKAccuracy(), 1e-12);
        assertEquals(0.5, m.loss(), 1e-12);
        assertArrayEquals(new long[] {1, 0, 0}, m.confusion()[0]);
        assertArrayEquals(new long[] {1, 0, 0}, m.confusion()[1]);
        assertArrayEquals(new long[] {0, 1, 0}, m.confusion()[2]);
    }

    @Test
    void earlyStoppingWaitsPatienceEpochsAndSurvivesACheckpoint() {
        EarlyStopping s = new EarlyStopping(new EarlyStopping.Spec("val_loss", "min", 2, 0.0, true));
        assertTrue(s.observe(0, 1.0));
        assertFalse(s.observe(1, 1.1));
        Map<String, Double> state = new HashMap<>();
        s.exportState(state);
        EarlyStopping resumed = new EarlyStopping(s.spec());
        resumed.importState(state);
        assertFalse(resumed.observe(2, 1.0));
        assertTrue(resumed.shouldStop());
        assertEquals(0, resumed.bestEpoch());
    }

    @Test
    void rejectsUnknownSettingsWithTheirPath() {
        MapParams p = new MapParams("trainer.params", Map.of("early_stopping", Map.of("patience", 0)));
        String m = assertThrows(IllegalArgumentException.class, () -> new SupervisedTrainerFactory().create(p)).getMessage();
        assertEquals("trainer.params: early_stopping.patience must be in [1, inf), got 0", m);
    }
}
