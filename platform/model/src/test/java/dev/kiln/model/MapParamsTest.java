package dev.kiln.model;

import dev.kiln.api.plugin.PluginKind;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MapParamsTest {

    @Test
    void readsTypedValuesWithDefaults() {
        MapParams p = new MapParams("optimizer.params", Map.of("lr", 0.01, "betas", List.of(0.9, 0.999), "kernel_size", 3,
                "nesterov", true, "mode", "fan_in"));
        assertEquals(0.01, p.getDouble("lr"));
        assertArrayEquals(new int[] {3, 3}, p.getInts("kernel_size", 2));
        assertEquals(true, p.getBoolean("nesterov", false));
        assertEquals("fan_in", p.getString("mode"));
        assertEquals(7, p.getInt("absent", 7));
    }

    @Test
    void wrongTypeNamesThePathTheExpectationAndTheValue() {
        MapParams p = new MapParams("model.layers[0].params", Map.of("out_features", "ten"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.getInt("out_features"));
        assertEquals("model.layers[0].params.out_features: expected an integer, got \"ten\"", e.getMessage());
    }

    @Test
    void fractionalIntegersAreRejected() {
        MapParams p = new MapParams("p", Map.of("n", 2.5));
        assertThrows(IllegalArgumentException.class, () -> p.getInt("n"));
    }

    @Test
    void unreadKeysAreReportedWithASuggestion() {
        MapParams p = new MapParams("optimizer.params", Map.of("lerning_rate", 0.1));
        p.getDouble("learning_rate", 0.001);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.requireAllRead("adam"));
        assertTrue(e.getMessage().contains("optimizer.params.lerning_rate") && e.getMessage().contains("did you mean \"learning_rate\""),
                e.getMessage());
    }

    @Test
    void nestedListsTrackTheirOwnPaths() {
        MapParams p = new MapParams("model", Map.of("layers", List.of(Map.of("units", 3), Map.of("unitz", 4))));
        var layers = p.getParamsList("layers");
        assertEquals("model.layers[1]", layers.get(1).path());
        layers.get(0).getInt("units");
        layers.get(1).getInt("units", 1);
        assertEquals(List.of("model.layers[1].unitz"), p.unreadKeys());
    }

    @Test
    void unknownPluginSuggestsTheClosestName() {
        StaticPluginSource s = new StaticPluginSource().register(PluginKind.OPTIMIZER, "adam", new Object())
                .register(PluginKind.OPTIMIZER, "sgd", new Object());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.factory(PluginKind.OPTIMIZER, "adamm", null, Object.class));
        assertTrue(e.getMessage().startsWith("\"adamm\" is not a registered optimizer; did you mean \"adam\"?"), e.getMessage());
    }
}
