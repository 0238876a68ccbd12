package dev.kiln.plugins.optimizers;

import dev.kiln.model.MapParams;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EarlyStoppingTest {

    private static EarlyStopping stopping(Map<String, ?> params) {
        return new EarlyStopping(new MapParams("trainer.params.early_stopping", params));
    }

    @Test
    void stopsAfterPatienceEpochsWithoutImprovementAndRemembersTheBest() {
        EarlyStopping stop = stopping(Map.of("patience", 2));
        assertFalse(stop.observe(0, 1.0));
        assertFalse(stop.observe(1, 0.8));
        assertFalse(stop.observe(2, 0.9));
        assertTrue(stop.observe(3, 0.85));
        assertEquals(1, stop.bestEpoch());
        assertEquals(0.8, stop.bestValue());
        assertTrue(stop.restoreBest());
        assertEquals("val_loss", stop.monitor());
    }

    @Test
    void improvementsSmallerThanMinDeltaDoNotCount() {
        EarlyStopping stop = stopping(Map.of("patience", 2, "min_delta", 0.1));
        stop.observe(0, 1.0);
        assertFalse(stop.observe(1, 0.95));
        assertTrue(stop.observe(2, 0.91));
        assertEquals(0, stop.bestEpoch());
    }

    @Test
    void maxModeTracksTheLargestValue() {
        EarlyStopping stop = stopping(Map.of("monitor", "val_accuracy", "mode", "max", "patience", 1,
                "restore_best", false));
        assertFalse(stop.observe(0, 0.5));
        assertFalse(stop.observe(1, 0.7));
        assertTrue(stop.observe(2, 0.6));
        assertEquals(1, stop.bestEpoch());
        assertFalse(stop.restoreBest());
    }

    @Test
    void resumedFromExportedStateStopsWhereTheOriginalWould() {
        EarlyStopping a = stopping(Map.of("patience", 3));
        a.observe(0, 1.0);
        a.observe(1, 1.1);
        EarlyStopping b = stopping(Map.of("patience", 3));
        b.importState(a.exportState());
        assertEquals(a.observe(2, 1.2), b.observe(2, 1.2));
        assertEquals(a.observe(3, 1.3), b.observe(3, 1.3));
        assertEquals(a.bestEpoch(), b.bestEpoch());
    }

    @Test
    void rejectsNonPositivePatienceNamingPathRangeAndValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> stopping(Map.of("patience", 0)));
        assertEquals("trainer.params.early_stopping: patience must be in [1, inf), got 0", e.getMessage());
    }
}
