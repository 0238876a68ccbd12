package dev.kiln.server;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Plugin uploads are capped in total, not only per jar: the plugin folder's size, and what a jar unpacks to. */
class PluginLimitsTest {

    @TempDir
    Path dir;

    /** A bundle with one entry of {@code zeros} zero bytes (it compresses to almost nothing). */
    static byte[] bundle(String bsn, int zeros) throws Exception {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().putValue("Bundle-SymbolicName", bsn);
        m.getMainAttributes().putValue("Bundle-Version", "1.0.0");
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (JarOutputStream j = new JarOutputStream(b, m)) {
            j.putNextEntry(new JarEntry("data.bin"));
            j.write(new byte[zeros]);
        }
        return b.toByteArray();
    }

    @Test
    void anInstallBeyondThePluginFoldersTotalIsRefusedAndAReplacementCountsOnce() throws Exception {
        byte[] a = bundle("a.plugin", 100);
        byte[] b = bundle("b.plugin", 100);
        byte[] c = bundle("c.plugin", 100);
        long cap = a.length + b.length + c.length / 2;
        try (Harness h = new Harness(dir.resolve("home"), cfg -> cfg.maxPluginFolderBytes(cap))) {
            KilnClient admin = h.client(h.adminToken);
            AuthTest.installOk(admin, "a.jar", a);
            AuthTest.installOk(admin, "b.jar", b);
            StatusRuntimeException e = AuthTest.install(admin, "c.jar", c, Tokens.sha256(c));
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
            assertEquals("installing c.jar (" + c.length + " bytes) would bring the plugin folder to " + (a.length + b.length + c.length)
                    + " bytes; the limit is " + cap + ". Remove plugins no longer used (RemovePlugin, kiln plugins remove) first",
                    e.getStatus().getDescription());
            assertFalse(Files.exists(h.home.resolve("plugins/c.jar")));
            assertNull(AuthTest.install(admin, "a.jar", bundle("a.plugin", 120), Tokens.sha256(bundle("a.plugin", 120))),
                    "a new version of an installed jar replaces it: the old one does not count");
        }
    }

    @Test
    void aJarThatUnpacksToFarMoreThanItsSizeIsRefused() throws Exception {
        byte[] bomb = bundle("bomb.plugin", 24 << 20); // 24 MiB of zeros in a ~25 KiB jar
        assertTrue(bomb.length < 100_000, "compressed to " + bomb.length);
        try (Harness h = new Harness(dir.resolve("home"))) {
            StatusRuntimeException e = AuthTest.install(h.client(h.adminToken), "bomb.jar", bomb, Tokens.sha256(bomb));
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
            assertTrue(e.getStatus().getDescription().startsWith("bomb.jar unpacks to more than 10485760 bytes (10 times its size)"),
                    e.getStatus().getDescription());
            assertFalse(Files.exists(h.home.resolve("plugins/bomb.jar")));
        }
    }
}
