package dev.kiln.server;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.kiln.proto.v1.ExperimentSpec;
import dev.kiln.proto.v1.LayerSpec;
import dev.kiln.proto.v1.ModelSpec;
import dev.kiln.proto.v1.PluginRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Thousands of random and malformed specs through parsing and validation: no crash; each rejected clearly or valid. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SpecFuzzTest {

    private static final String[] NASTY = {"", "a", "adam", "com.evil.Payload", "java.lang.Runtime", "/etc/passwd", "../../x",
            "C:\\windows", "http://x/y", "file:/tmp/x", "jndi:ldap://x/a", "${jndi:ldap://x}", "\u0000", "日本語", "x".repeat(2000),
            "[1.0,2)", "1.2.3", "NaN", "-1", "Adam", "a b", "a-b_c", "~/.ssh/id_rsa", "sh -c 'id'"};
    private static final String[] KEYS = {"lr", "momentum", "class", "path", "url", "script", "Weird Key", "", "a".repeat(100), "root", "beta_1"};

    private static int outcome(ExperimentSpec spec) {
        List<String> problems = SpecValidator.problems(spec);
        for (String p : problems) {
            assertFalse(p.isBlank(), "every problem says something");
            assertTrue(p.contains(":"), "every problem names where: " + p);
        }
        return problems.isEmpty() ? 1 : 0;
    }

    @Test
    void randomBytesAreRejectedByParsingOrValidation() {
        Random r = new Random(42);
        int parsed = 0;
        for (int i = 0; i < 5000; i++) {
            byte[] b = new byte[r.nextInt(300)];
            r.nextBytes(b);
            try {
                ExperimentSpec s = ExperimentSpec.parseFrom(b);
                parsed++;
                outcome(s);
            } catch (InvalidProtocolBufferException expected) {
                // rejected by the wire format
            }
        }
        assertTrue(parsed > 0, "some random bytes parse, and then validation judges them");
    }

    @Test
    void mutatedValidSpecsAreEitherValidOrRejectedWithReasons() {
        Random r = new Random(7);
        ExperimentSpec good = Harness.synthetic("fuzz", 1, 1, 5, 0, 5);
        assertTrue(SpecValidator.problems(good).isEmpty(), SpecValidator.problems(good).toString());
        byte[] wire = good.toByteArray();
        int accepted = 0;
        int rejected = 0;
        for (int i = 0; i < 5000; i++) {
            ExperimentSpec s;
            if (i % 2 == 0) {
                byte[] b = wire.clone();
                for (int k = 0, n = 1 + r.nextInt(4); k < n; k++) {
                    b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                }
                try {
                    s = ExperimentSpec.parseFrom(b);
                } catch (InvalidProtocolBufferException e) {
                    rejected++;
                    continue;
                }
            } else {
                s = randomSpec(r);
            }
            if (outcome(s) == 1) {
                accepted++;
            } else {
                rejected++;
            }
        }
        assertTrue(accepted > 100 && rejected > 100, accepted + " accepted, " + rejected + " rejected");
    }

    private static ExperimentSpec randomSpec(Random r) {
        ExperimentSpec.Builder b = ExperimentSpec.newBuilder().setName(pick(r, NASTY)).setSeed(r.nextLong());
        if (r.nextInt(4) > 0) {
            b.setTrainer(dev.kiln.proto.v1.TrainerSpec.newBuilder().setName(pick(r, NASTY)).setEpochs(r.nextInt(200_000) - 50)
                    .setBatchSize(r.nextInt(100)).setParams(struct(r, 0)));
        }
        if (r.nextInt(4) > 0) {
            b.setDataset(PluginRef.newBuilder().setName(pick(r, NASTY)).setVersion(pick(r, NASTY)).setParams(struct(r, 0)));
        }
        if (r.nextBoolean()) {
            b.setOptimizer(PluginRef.newBuilder().setName(pick(r, NASTY)).setParams(struct(r, 0)));
        }
        ModelSpec.Builder m = ModelSpec.newBuilder();
        for (int i = 0, n = r.nextInt(5); i < n; i++) {
            m.addLayers(LayerSpec.newBuilder().setId(r.nextBoolean() ? "" : pick(r, NASTY)).setName(pick(r, NASTY))
                    .addInputs(pick(r, NASTY)).setParams(struct(r, 0)));
        }
        return b.setModel(m).setBackend(r.nextBoolean() ? "" : pick(r, NASTY)).build();
    }

    private static Struct struct(Random r, int depth) {
        Struct.Builder s = Struct.newBuilder();
        for (int i = 0, n = r.nextInt(4); i < n; i++) {
            s.putFields(pick(r, KEYS), value(r, depth));
        }
        return s.build();
    }

    private static Value value(Random r, int depth) {
        return switch (depth > 10 ? r.nextInt(3) : r.nextInt(6)) {
            case 0 -> Value.newBuilder().setNumberValue(r.nextBoolean() ? r.nextGaussian() : Double.NaN).build();
            case 1 -> Value.newBuilder().setStringValue(pick(r, NASTY)).build();
            case 2 -> Value.newBuilder().setBoolValue(r.nextBoolean()).build();
            case 3 -> Value.newBuilder().setStructValue(struct(r, depth + 1)).build();
            case 4 -> Value.newBuilder().setListValue(ListValue.newBuilder().addValues(value(r, depth + 1)).addValues(value(r, depth + 1))).build();
            default -> Value.getDefaultInstance();
        };
    }

    private static String pick(Random r, String[] from) {
        return from[r.nextInt(from.length)];
    }
}
