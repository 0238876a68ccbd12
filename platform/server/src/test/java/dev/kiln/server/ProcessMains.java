package dev.kiln.server;

import dev.kiln.proto.v1.Capabilities;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Entry points for real-process tests: a server and a worker, each its own JVM. */
final class ProcessMains {

    private ProcessMains() {
    }

    /** {@code server HOME PORT WORKER_TOKEN}: writes HOME/port when listening. */
    static final class Server {
        public static void main(String[] a) throws Exception {
            Path home = Path.of(a[0]);
            KilnServer s = KilnServer.start(new KilnServer.Config().home(home).port(Integer.parseInt(a[1]))
                    .timing(Duration.ofMillis(1500), Duration.ofMillis(200), Duration.ofSeconds(3)).userLimit(0));
            if (s.store().user("chaos-worker").isEmpty()) {
                s.store().addUser("chaos-worker", Role.WORKER, Tokens.sha256(a[2]));
            }
            Files.writeString(home.resolve("port.tmp"), Integer.toString(s.port()));
            Files.move(home.resolve("port.tmp"), home.resolve("port"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            s.awaitTermination();
        }
    }

    /** {@code worker TARGET TOKEN ID WORKDIR SLOTS}. */
    static final class Worker {
        public static void main(String[] a) throws Exception {
            KilnClient c = KilnClient.connect(a[0], a[1], null);
            dev.kiln.server.Worker.Options o = new dev.kiln.server.Worker.Options(a[2], Integer.parseInt(a[4]),
                    Capabilities.newBuilder().setBackend("cpu").build(), Path.of(a[3]), Duration.ofMillis(50), Duration.ofHours(1), Duration.ofMinutes(1));
            new dev.kiln.server.Worker(c.channel(), c.credentials(), new SyntheticExecutor(), o).start();
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    static Process java(Path log, Class<?> main, String... args) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(java.util.List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }
}
