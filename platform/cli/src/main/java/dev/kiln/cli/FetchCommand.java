package dev.kiln.cli;

import dev.kiln.proto.v1.Artifact;
import dev.kiln.proto.v1.ArtifactChunk;
import dev.kiln.proto.v1.GetArtifactRequest;
import dev.kiln.proto.v1.ListArtifactsRequest;
import dev.kiln.server.KilnClient;
import dev.kiln.server.Tokens;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.concurrent.Callable;

/** {@code kiln fetch RUN}: a run's artifacts into a local run directory, each checked against its SHA-256. */
@Command(name = "fetch", mixinStandardHelpOptions = true, description = "Downloads a run's artifacts into runs/RUN/ (checked by SHA-256).")
final class FetchCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    ServerOptions server;

    @Parameters(paramLabel = "RUN")
    String run;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs", description = "Parent folder (default ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws Exception {
        String name = Remote.run(run);
        Path dir = out.resolve(name.substring(5));
        Files.createDirectories(dir);
        var print = spec.commandLine().getOut();
        try (KilnClient c = server.connect()) {
            for (Artifact a : c.experiments().listArtifacts(ListArtifactsRequest.newBuilder().setParent(name).build()).getArtifactsList()) {
                Path target = dir.resolve(a.getKind().equals("checkpoint") ? "checkpoints/" + a.getFileName() : a.getFileName());
                Files.createDirectories(target.getParent());
                MessageDigest d = MessageDigest.getInstance("SHA-256");
                try (OutputStream o = Files.newOutputStream(target)) {
                    Iterator<ArtifactChunk> it = c.experimentsStreaming(Duration.ofMinutes(30)).getArtifact(GetArtifactRequest.newBuilder().setName(a.getName()).build());
                    while (it.hasNext()) {
                        ArtifactChunk ch = it.next();
                        ch.getData().writeTo(o);
                        d.update(ch.getData().asReadOnlyByteBuffer());
                    }
                }
                String sha = HexFormat.of().formatHex(d.digest());
                if (!sha.equals(a.getSha256())) {
                    throw new IllegalStateException(target + ": SHA-256 " + sha + " differs from the server's " + a.getSha256() + "; fetch again");
                }
                print.println(target + "  " + a.getSizeBytes() + " bytes");
            }
        } catch (io.grpc.StatusRuntimeException e) {
            throw new IllegalStateException(Remote.describe(e));
        }
        print.flush();
        return 0;
    }
}
