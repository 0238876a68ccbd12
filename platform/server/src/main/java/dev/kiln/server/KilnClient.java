package dev.kiln.server;

import dev.kiln.proto.v1.ExperimentServiceGrpc;
import dev.kiln.proto.v1.PluginServiceGrpc;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A connection to a kiln server for front ends: the channel (plaintext to loopback, TLS otherwise), the bearer
 * token, and stubs that always carry a deadline.
 */
public final class KilnClient implements AutoCloseable {

    /** Deadline of unary calls. */
    public static final Duration CALL_DEADLINE = Duration.ofSeconds(30);

    private final ManagedChannel channel;
    private final BearerToken token;

    private KilnClient(ManagedChannel channel, BearerToken token) {
        this.channel = channel;
        this.token = token;
    }

    /**
     * Connects to {@code host:port}. Loopback addresses use plaintext unless {@code caCert} is given; any other host
     * needs TLS ({@code caCert} null: the JVM's trust store).
     */
    public static KilnClient connect(String target, String token, Path caCert) throws IOException {
        return connect(target, token, caCert, null, null);
    }

    /**
     * As {@link #connect(String, String, Path)}, presenting a client certificate ({@code clientCert} chain and its
     * PKCS#8 {@code clientKey}, PEM) over TLS: how workers connect to a server that requires mTLS.
     */
    public static KilnClient connect(String target, String token, Path caCert, Path clientCert, Path clientKey) throws IOException {
        String[] hp = parseTarget(target);
        boolean loopback = hp[0].equals("127.0.0.1") || hp[0].equals("localhost") || hp[0].equals("::1") || hp[0].equals("[::1]");
        if ((clientCert == null) != (clientKey == null)) {
            throw new IllegalArgumentException("--client-cert and --client-key go together");
        }
        ChannelCredentials creds;
        if (caCert != null || clientCert != null || !loopback) {
            TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
            if (caCert != null) {
                tls.trustManager(caCert.toFile());
            }
            if (clientCert != null) {
                tls.keyManager(clientCert.toFile(), clientKey.toFile());
            }
            creds = tls.build();
        } else {
            creds = InsecureChannelCredentials.create();
        }
        ManagedChannel ch = Grpc.newChannelBuilderForAddress(hp[0], Integer.parseInt(hp[1]), creds)
                .maxInboundMessageSize(KilnServer.MAX_MESSAGE_BYTES)
                .keepAliveTime(30, TimeUnit.SECONDS)
                .build();
        return new KilnClient(ch, BearerToken.of(token));
    }

    static String[] parseTarget(String target) {
        if (target == null || target.isBlank()) {
            throw new IllegalArgumentException("no server: pass --server HOST:PORT or set $KILN_SERVER (kiln serve listens on 127.0.0.1:7878)");
        }
        int colon = target.lastIndexOf(':');
        if (colon <= 0 || colon == target.length() - 1) {
            throw new IllegalArgumentException("--server must be HOST:PORT, got '" + target + "'");
        }
        try {
            int port = Integer.parseInt(target.substring(colon + 1));
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--server " + target + ": the port must be 1-65535");
        }
        return new String[] {target.substring(0, colon), target.substring(colon + 1)};
    }

    public Channel channel() {
        return channel;
    }

    public BearerToken credentials() {
        return token;
    }

    /** Unary calls with the standard deadline. */
    public ExperimentServiceGrpc.ExperimentServiceBlockingStub experiments() {
        return ExperimentServiceGrpc.newBlockingStub(channel).withCallCredentials(token)
                .withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Streaming calls with the given deadline (a watch reconnects when it passes). */
    public ExperimentServiceGrpc.ExperimentServiceStub experimentsAsync(Duration deadline) {
        return ExperimentServiceGrpc.newStub(channel).withCallCredentials(token).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    public ExperimentServiceGrpc.ExperimentServiceBlockingStub experimentsStreaming(Duration deadline) {
        return ExperimentServiceGrpc.newBlockingStub(channel).withCallCredentials(token).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    public PluginServiceGrpc.PluginServiceBlockingStub plugins() {
        return PluginServiceGrpc.newBlockingStub(channel).withCallCredentials(token).withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    }

    public PluginServiceGrpc.PluginServiceStub pluginsAsync(Duration deadline) {
        return PluginServiceGrpc.newStub(channel).withCallCredentials(token).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
