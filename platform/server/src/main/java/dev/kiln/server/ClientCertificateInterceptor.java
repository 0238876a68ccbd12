package dev.kiln.server;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * mTLS for workers: with {@code --client-ca}, a worker stream is accepted only over a TLS connection whose client
 * presented a certificate the handshake verified against that CA (users connect with a token alone). The handshake
 * itself refuses certificates the CA did not sign.
 */
final class ClientCertificateInterceptor implements ServerInterceptor {

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        try {
            if (session != null && session.getPeerCertificates().length > 0) {
                return next.startCall(call, headers);
            }
        } catch (SSLPeerUnverifiedException e) {
            // no client certificate: refused below
        }
        call.close(Status.UNAUTHENTICATED.withDescription("this server requires workers to present a client certificate signed by its "
                + "--client-ca; start the worker with --client-cert CERT.pem --client-key KEY.pem"), new Metadata());
        return new ServerCall.Listener<>() { };
    }
}
