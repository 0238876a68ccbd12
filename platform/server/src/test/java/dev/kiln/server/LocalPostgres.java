package dev.kiln.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A throw-away PostgreSQL cluster on a free loopback port (as user nobody/postgres when run as root). */
final class LocalPostgres implements AutoCloseable {

    private final Path bin;
    private final Path data;
    private final int port;
    private final List<String> asUser;

    private LocalPostgres(Path bin, Path data, int port, List<String> asUser) {
        this.bin = bin;
        this.data = data;
        this.port = port;
        this.asUser = asUser;
    }

    /** Null when it cannot be started here (the test then skips). */
    static LocalPostgres start(Path bin, Path data) throws Exception {
        List<String> asUser = List.of();
        if ("root".equals(System.getProperty("user.name"))) {
            String user = Files.exists(Path.of("/usr/sbin/runuser")) ? userExists("postgres") ? "postgres" : "nobody" : null;
            if (user == null) {
                return null;
            }
            asUser = List.of("/usr/sbin/runuser", "-u", user, "--");
            Files.createDirectories(data.getParent());
            Files.setPosixFilePermissions(data.getParent(), PosixFilePermissions.fromString("rwxrwxrwx"));
            for (Path p = data.getParent(); p != null && p.getParent() != null; p = p.getParent()) {
                try {
                    var perms = Files.getPosixFilePermissions(p);
                    perms.add(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE);
                    Files.setPosixFilePermissions(p, perms);
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
        int port = StoreTest.freePort();
        LocalPostgres pg = new LocalPostgres(bin, data, port, asUser);
        if (pg.run(60, bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "kiln", "--auth=trust", "-E", "UTF8") != 0) {
            return null;
        }
        if (pg.run(60, bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-t", "30", "-l", data.resolve("log").toString(),
                "-o", "-p " + port + " -h 127.0.0.1 -k " + data, "start") != 0) {
            return null;
        }
        if (pg.run(30, bin.resolve("createdb").toString(), "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", "kiln", "kiln") != 0) {
            pg.close();
            return null;
        }
        return pg;
    }

    private static boolean userExists(String name) throws IOException {
        return Files.readAllLines(Path.of("/etc/passwd")).stream().anyMatch(l -> l.startsWith(name + ":"));
    }

    String url() {
        return "postgresql://kiln@127.0.0.1:" + port + "/kiln";
    }

    private int run(int seconds, String... cmd) throws Exception {
        List<String> full = new ArrayList<>(asUser);
        full.addAll(List.of(cmd));
        Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    @Override
    public void close() throws Exception {
        run(30, bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop");
    }
}
