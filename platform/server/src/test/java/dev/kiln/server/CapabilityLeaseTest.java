package dev.kiln.server;

import dev.kiln.proto.v1.Capabilities;
import dev.kiln.proto.v1.ExperimentSpec;
import dev.kiln.proto.v1.GetRunRequest;
import dev.kiln.proto.v1.PluginRef;
import dev.kiln.proto.v1.Run;
import dev.kiln.proto.v1.RunEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Leases go only to workers whose registered capabilities (backends, GPU, plugins) cover the spec. */
class CapabilityLeaseTest {

    @TempDir
    Path dir;

    static final List<String> SYNTHETIC = List.of("trainer/synthetic@1.0.0", "dataset/synthetic-regression@1.0.0");

    static Capabilities cpu() {
        return Capabilities.newBuilder().setBackend("cpu").addBackends("cpu").addBackends("java").addAllComponents(SYNTHETIC).build();
    }

    static Capabilities gpu() {
        return Capabilities.newBuilder().setBackend("cuda").setGpu(true).setGpuName("test GPU").addBackends("cuda").addBackends("cpu")
                .addBackends("java").addAllComponents(SYNTHETIC).build();
    }

    private static Run get(KilnClient c, Run r) {
        return c.experiments().getRun(GetRunRequest.newBuilder().setName(r.getName()).build());
    }

    /** The worker named in the run's RUNNING transitions. */
    private static List<String> ranOn(KilnClient c, Run r) {
        return Harness.watch(c, r.getName(), 0, Duration.ofSeconds(30)).stream().filter(RunEvent::hasStateChange)
                .filter(e -> e.getStateChange().getState() == Run.State.RUNNING).map(e -> e.getStateChange().getWorker()).toList();
    }

    @Test
    void aRunNeedingAGpuOrAMissingPluginWaitsWithAReasonUntilACapableWorkerComes() throws Exception {
        try (Harness h = new Harness(dir.resolve("home"))) {
            KilnClient c = h.client(h.adminToken);
            Run waitingForWorkers = Harness.submit(c, Harness.synthetic("gpu-job", 1, 1, 10, 0, 5).toBuilder().setBackend("cuda").build());
            Thread.sleep(300);
            assertEquals("no worker is connected (start one with kiln worker)", get(c, waitingForWorkers).getWaitingReason());

            h.worker("cpu-box", 2, new SyntheticExecutor(), cpu());
            Run plain = Harness.submit(c, Harness.synthetic("plain", 2, 1, 10, 0, 5));
            Harness.await(c, plain.getName(), Duration.ofSeconds(20), Run.State.SUCCEEDED);
            assertEquals(List.of("cpu-box"), ranOn(c, plain));

            ExperimentSpec adamw = Harness.synthetic("needs-adamw", 3, 1, 10, 0, 5).toBuilder()
                    .setOptimizer(PluginRef.newBuilder().setName("adamw").setVersion("[2,3)")).build();
            Run missingPlugin = Harness.submit(c, adamw);
            Thread.sleep(800); // several dispatch rounds with a free, incapable worker
            Run gpuRun = get(c, waitingForWorkers);
            assertEquals(Run.State.QUEUED, gpuRun.getState(), "a cuda run is never leased to a worker without a GPU");
            assertEquals("waiting for a capable worker: cpu-box lacks a GPU for backend 'cuda'", gpuRun.getWaitingReason());
            Run pluginRun = get(c, missingPlugin);
            assertEquals(Run.State.QUEUED, pluginRun.getState());
            assertEquals("waiting for a capable worker: cpu-box lacks plugin optimizer/adamw@[2,3)", pluginRun.getWaitingReason());
            assertEquals(pluginRun.getWaitingReason(), c.experiments().listRuns(dev.kiln.proto.v1.ListRunsRequest.newBuilder()
                    .setFilter("name=needs-adamw").build()).getRuns(0).getWaitingReason(), "ListRuns says it too");

            h.worker("gpu-box", 1, new SyntheticExecutor(), gpu());
            Harness.await(c, waitingForWorkers.getName(), Duration.ofSeconds(20), Run.State.SUCCEEDED);
            assertEquals(List.of("gpu-box"), ranOn(c, waitingForWorkers));
            assertEquals("", get(c, waitingForWorkers).getWaitingReason(), "only queued runs wait");
            assertTrue(get(c, missingPlugin).getWaitingReason().contains("gpu-box lacks plugin optimizer/adamw@[2,3)"),
                    get(c, missingPlugin).getWaitingReason());

            h.worker("adamw-box", 1, new SyntheticExecutor(), cpu().toBuilder().addComponents("optimizer/adamw@2.1.0").build());
            Harness.await(c, missingPlugin.getName(), Duration.ofSeconds(20), Run.State.SUCCEEDED);
            assertEquals(List.of("adamw-box"), ranOn(c, missingPlugin));
        }
    }

    @Test
    void aWorkerThatAdvertisesNoPluginsIsOfferedAnySpecOnItsBackends() {
        Capabilities bare = Capabilities.newBuilder().setBackend("cpu").build();
        ExperimentSpec s = Harness.synthetic("x", 1, 1, 1, 0, 1).toBuilder().setOptimizer(PluginRef.newBuilder().setName("adamw")).build();
        assertNull(WorkerFit.lacks(s, bare));
        assertNull(WorkerFit.lacks(s.toBuilder().setBackend("java").build(), bare), "the reference backend is always there");
        assertEquals("backend 'openblas' (has cpu, java)", WorkerFit.lacks(s.toBuilder().setBackend("openblas").build(), bare));
    }

    @Test
    void layerNamesMatchLayerOrActivationPlugins() {
        ExperimentSpec s = ExperimentSpec.newBuilder().setModel(dev.kiln.proto.v1.ModelSpec.newBuilder()
                .addLayers(dev.kiln.proto.v1.LayerSpec.newBuilder().setName("linear"))
                .addLayers(dev.kiln.proto.v1.LayerSpec.newBuilder().setName("relu"))).build();
        Capabilities c = Capabilities.newBuilder().addComponents("layer/linear@1.0.0").addComponents("activation/relu@1.0.0").build();
        assertNull(WorkerFit.lacks(s, c));
        assertEquals("plugin layer/relu", WorkerFit.lacks(s, Capabilities.newBuilder().addComponents("layer/linear@1.0.0").build()));
    }

    @Test
    void versionRangesFollowOsgiSemantics() {
        assertTrue(WorkerFit.inRange("1.2.3", ""));
        assertTrue(WorkerFit.inRange("1.2.3", "1.2"));
        assertFalse(WorkerFit.inRange("1.1.9", "1.2"));
        assertTrue(WorkerFit.inRange("1.2.0", "[1.2,2)"));
        assertFalse(WorkerFit.inRange("2.0.0", "[1.2,2)"));
        assertTrue(WorkerFit.inRange("2.0.0", "[1.2,2]"));
        assertFalse(WorkerFit.inRange("1.2.0", "(1.2,2)"));
        assertTrue(WorkerFit.inRange("1.2.0.SNAPSHOT", "[1.2,1.3)"));
        assertFalse(WorkerFit.inRange("1.2.0", "[garbage"));
    }
}
