package io.stockgrid.api.transport;

import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;

import java.util.List;

/**
 * The TLS both ends of both doors use: TLS 1.3 and 1.2 only, forward-secret AEAD cipher suites only (ECDHE with
 * AES-GCM or ChaCha20-Poly1305; TLS 1.3's suites are all of that kind), on the JDK's own provider (no native
 * library to ship; netty-tcnative is not a dependency). One place, so that the node and the client cannot drift apart.
 */
public final class TlsPolicy
{
    /** Protocol versions offered and accepted, best first. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /** Cipher suites offered and accepted, best first; those the JDK lacks are left out by the filter. */
    public static final List<String> CIPHERS = List.of(
        "TLS_AES_128_GCM_SHA256",
        "TLS_AES_256_GCM_SHA384",
        "TLS_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private TlsPolicy()
    {
    }

    /** Applies the policy (provider, protocols, ciphers) to a client or server context builder. */
    public static SslContextBuilder apply(final SslContextBuilder builder)
    {
        return builder.sslProvider(SslProvider.JDK)
            .protocols(PROTOCOLS.toArray(new String[0]))
            .ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE);
    }
}
