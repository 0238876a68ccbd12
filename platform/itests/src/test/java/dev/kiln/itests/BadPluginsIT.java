package dev.kiln.itests;

import dev.kiln.api.nn.OptimizerFactory;
import dev.kiln.api.plugin.PluginKind;
import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.Lease;
import dev.kiln.runtime.PluginProblem;
import dev.kiln.runtime.PluginRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each kind of bad plugin is rejected with a message naming the jar, the cause and the fix, while a
 * good plugin keeps serving a run in progress and nothing of the bad jar stays in the framework.
 */
class BadPluginsIT {

    @TempDir
    Path tmp;
    Path plugins;
    KilnRuntime kiln;
    Lease<OptimizerFactory> running;
    List<String> bundlesBefore;

    @BeforeEach
    void startWithAGoodPluginInUse() throws Exception {
        plugins = Files.createDirectories(tmp.resolve("plugins"));
        TestBundles.build(plugins.resolve("echo.jar"), "dev.kiln.test.echo", "1.0.0", TestBundles.ECHO);
        kiln = KilnRuntime.builder().pluginDir(plugins).watch(false).start();
        running = kiln.registry().acquire(OptimizerFactory.class, PluginKind.OPTIMIZER, PluginRef.parse("echo"), "run-in-progress");
        bundlesBefore = kiln.frameworkBundles();
    }

    @AfterEach
    void goodPluginKeptWorkingAndNothingIsHalfInstalled() {
        running.service().create(null, List.of(), null).step();
        assertEquals(bundlesBefore, kiln.frameworkBundles(), "the framework holds exactly what it held before");
        running.close();
        kiln.close();
    }

    @Test
    void fileThatIsNotAJar() throws Exception {
        Files.writeString(plugins.resolve("readme.jar"), "not a zip");
        assertRejected("readme.jar", PluginProblem.Kind.NOT_A_BUNDLE, "not a jar", "bnd-maven-plugin");
    }

    @Test
    void jarWithoutBundleHeaders() throws Exception {
        TestBundles.plainJar(plugins.resolve("plain.jar"));
        assertRejected("plain.jar", PluginProblem.Kind.NOT_A_BUNDLE, "Bundle-SymbolicName", "bnd-maven-plugin");
    }

    @Test
    void bundleImportingAPackageOutsideTheApi() {
        TestBundles.build(plugins.resolve("needs-gson.jar"), "dev.kiln.test.gson", "1.0.0", TestBundles.ECHO,
                Map.of("Import-Package", "com.google.gson;version=\"[2.10,3)\",*"));
        assertRejected("needs-gson.jar", PluginProblem.Kind.UNRESOLVED, "com.google.gson", "dev.kiln.api");
    }

    @Test
    void componentThatThrowsInActivation() {
        TestBundles.build(plugins.resolve("throwing.jar"), "dev.kiln.test.throwing", "1.0.0", TestBundles.THROWING);
        assertRejected("throwing.jar", PluginProblem.Kind.ACTIVATION_FAILED, "cannot find weights.bin", "@Activate");
    }

    @Test
    void sameSymbolicNameAndVersionTwice() {
        TestBundles.build(plugins.resolve("echo-copy.jar"), "dev.kiln.test.echo", "1.0.0", TestBundles.ECHO);
        assertRejected("echo-copy.jar", PluginProblem.Kind.DUPLICATE, "dev.kiln.test.echo@1.0.0 is already installed from echo.jar", "bump Bundle-Version");
    }

    @Test
    void samePluginIdFromAnotherBundle() {
        TestBundles.build(plugins.resolve("other-echo.jar"), "dev.kiln.test.other", "1.0.0", TestBundles.ECHO);
        assertRejected("other-echo.jar", PluginProblem.Kind.DUPLICATE, "optimizer 'echo' is already provided by dev.kiln.test.echo@1.0.0", "rename kiln.name");
    }

    @Test
    void fixedJarIsTakenWhenItsContentChanges() throws Exception {
        Files.writeString(plugins.resolve("later.jar"), "half-copied");
        assertEquals(1, kiln.sync().size());
        TestBundles.build(plugins.resolve("later.jar"), "dev.kiln.test.later", "1.0.0", TestBundles.LEAKY);
        assertEquals(List.of(), kiln.sync());
        kiln.registry().acquire(OptimizerFactory.class, PluginKind.OPTIMIZER, PluginRef.parse("leaky"), "t").close();
        Files.delete(plugins.resolve("later.jar"));
        kiln.sync();
        kiln.awaitIdle();
    }

    private void assertRejected(String jar, PluginProblem.Kind kind, String cause, String fix) {
        List<PluginProblem> problems = kiln.sync();
        assertEquals(1, problems.size(), problems.toString());
        PluginProblem p = problems.get(0);
        String message = p.message();
        assertEquals(kind, p.kind(), message);
        assertTrue(message.contains(jar), "names the jar: " + message);
        assertTrue(p.cause().contains(cause), "names the cause '" + cause + "': " + message);
        assertTrue(p.fix().contains(fix), "names the fix '" + fix + "': " + message);
        assertEquals(List.of("dev.kiln.test.echo@1.0.0"), kiln.registry().installed().stream().map(Object::toString).toList());
        assertEquals(p, kiln.sync().get(0), "reported again, not retried, until the jar changes");
        System.out.println(message);
    }
}
