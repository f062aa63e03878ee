package io.stockgrid.api.client;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.stockgrid.api.transport.TlsPolicy;

import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * How the client speaks TLS to a node started with {@code --tls-cert}: which certificate authorities it trusts for
 * the node's certificate, and optionally its own certificate and key for a node that requires them
 * ({@code --tls-client-ca}, mutual TLS). The node's certificate must name the host the client connects to (its
 * subject alternative names; an IP address for an address given as one): the client verifies it, as HTTPS does.
 * <pre>{@code
 * StockgridClient.builder().address("grid.internal", 7070)
 *     .tls(ClientTls.trusting(Path.of("ca.pem")).withClientCertificate(Path.of("client.pem"), Path.of("client.key")))
 * }</pre>
 * Immutable; the context is built by {@link StockgridClient.Builder#build()}, which fails with
 * {@code IllegalArgumentException} naming the file that cannot be used.
 */
public final class ClientTls
{
    private final Path trustedCasPem;
    private final KeyStore trustStore;
    private final Path certificatePem;
    private final Path keyPem;

    private ClientTls(final Path trustedCasPem, final KeyStore trustStore, final Path certificatePem,
        final Path keyPem)
    {
        this.trustedCasPem = trustedCasPem;
        this.trustStore = trustStore;
        this.certificatePem = certificatePem;
        this.keyPem = keyPem;
    }

    /** Trusts the JVM's default certificate authorities (a node certificate from a public or corporate CA). */
    public static ClientTls trustingDefaultCas()
    {
        return new ClientTls(null, null, null, null);
    }

    /** Trusts the certificate authorities in a PEM file (one or more {@code BEGIN CERTIFICATE} blocks). */
    public static ClientTls trusting(final Path trustedCasPem)
    {
        return new ClientTls(Objects.requireNonNull(trustedCasPem, "trustedCasPem"), null, null, null);
    }

    /** Trusts the certificates of a loaded trust store (e.g. a PKCS#12 file). */
    public static ClientTls trusting(final KeyStore trustStore)
    {
        return new ClientTls(null, Objects.requireNonNull(trustStore, "trustStore"), null, null);
    }

    /**
     * Presents this certificate chain (PEM) and its private key (PEM, unencrypted PKCS#8: {@code BEGIN PRIVATE KEY})
     * to a node that requires client certificates.
     */
    public ClientTls withClientCertificate(final Path certificatePem, final Path keyPem)
    {
        return new ClientTls(trustedCasPem, trustStore, Objects.requireNonNull(certificatePem, "certificatePem"),
            Objects.requireNonNull(keyPem, "keyPem"));
    }

    /**
     * Builds the context: TLS 1.2+ and the cipher suites of {@link TlsPolicy}, the peer's host name verified. Public
     * for callers that open their own Netty connections to a node (the load generator's HTTP target); pass the host
     * and port to {@code newHandler(alloc, host, port)} so that the name is checked.
     *
     * @throws IllegalArgumentException naming the file that cannot be used.
     */
    public SslContext newContext()
    {
        final SslContextBuilder builder = TlsPolicy.apply(SslContextBuilder.forClient())
            .endpointIdentificationAlgorithm("HTTPS");
        try
        {
            if (trustedCasPem != null)
            {
                requireReadable(trustedCasPem, "trusted CA file");
                builder.trustManager(trustedCasPem.toFile());
            }
            else if (trustStore != null)
            {
                final TrustManagerFactory factory =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                factory.init(trustStore);
                builder.trustManager(factory);
            }
            if (certificatePem != null)
            {
                requireReadable(certificatePem, "client certificate file");
                requireReadable(keyPem, "client key file");
                builder.keyManager(certificatePem.toFile(), keyPem.toFile());
            }
            return builder.build();
        }
        catch (final SSLException | IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("TLS settings cannot be used (trusted CAs " + describe(trustedCasPem)
                + ", client certificate " + describe(certificatePem) + ", key " + describe(keyPem) + "): "
                + ex.getMessage(), ex);
        }
        catch (final KeyStoreException | NoSuchAlgorithmException ex)
        {
            throw new IllegalArgumentException("the trust store cannot be used: " + ex.getMessage(), ex);
        }
    }

    private static void requireReadable(final Path file, final String what)
    {
        if (!Files.isReadable(file))
        {
            throw new IllegalArgumentException(what + " " + file + " is not a readable file");
        }
    }

    private static String describe(final Path file)
    {
        return file == null ? "(none)" : file.toString();
    }
}
