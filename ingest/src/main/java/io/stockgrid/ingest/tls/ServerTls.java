package io.stockgrid.ingest.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.stockgrid.api.transport.TlsPolicy;
import io.stockgrid.ingest.FilePoller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;

/**
 * The TLS of both doors ({@code --tls-cert}, {@code --tls-key}, {@code --tls-client-ca}): one server context, built
 * from PEM files under {@link TlsPolicy} (TLS 1.2+, forward-secret AEAD suites, the JDK provider), that each new
 * connection of either door takes its {@link SslHandler} from.
 * <p>
 * The files are re-read when their content changes ({@link #startWatching}, every 2 s by default, as the keys file
 * is): a set that builds, and whose key matches its certificate, replaces the context at once (connections made from
 * then on see the new certificate; open ones keep theirs), a bad set is refused with one log line and the context in
 * force stays. Rotating means writing the new key and certificate: a poll that sees one of them new and the other
 * old refuses the mismatched pair and takes the pair at the next poll.
 */
public final class ServerTls implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);
    private static final String PKCS8_BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String PKCS8_END = "-----END PRIVATE KEY-----";
    public static final long WATCH_INTERVAL_MS_DEFAULT = 2_000;
    /** A PEM file larger than this is refused unread (a chain of a few certificates is a few KiB). */
    public static final int FILE_BYTES_MAX = 1024 * 1024;

    private final Path certificate;
    private final Path key;
    private final Path clientCa;
    private volatile SslContext context;
    private volatile String subject;
    private byte[] lastContentHash;
    private FilePoller watcher;

    private ServerTls(final Path certificate, final Path key, final Path clientCa, final Loaded loaded)
    {
        this.certificate = certificate;
        this.key = key;
        this.clientCa = clientCa;
        this.context = loaded.context;
        this.subject = loaded.subject;
        this.lastContentHash = loaded.contentHash;
    }

    /**
     * Reads and checks the files now.
     *
     * @param clientCa the CAs whose client certificates are accepted, which makes a client certificate required;
     *                 null for none (server-authenticated TLS only).
     * @throws Invalid naming the file and what is wrong with it: the node refuses to start on it.
     */
    public static ServerTls load(final Path certificate, final Path key, final Path clientCa) throws Invalid
    {
        return new ServerTls(certificate, key, clientCa, build(certificate, key, clientCa));
    }

    /** A handler for a new connection, from the context in force now. */
    public SslHandler newHandler(final ByteBufAllocator alloc)
    {
        return context.newHandler(alloc);
    }

    /** True if client certificates are required (mutual TLS). */
    public boolean requiresClientCertificates()
    {
        return clientCa != null;
    }

    /** The subject of the certificate in force (for logs). */
    public String subject()
    {
        return subject;
    }

    /** Polls the files every {@code intervalMs} and reloads them when their content changed. */
    public synchronized void startWatching(final long intervalMs)
    {
        if (watcher != null)
        {
            return;
        }
        watcher = new FilePoller("stockgrid-tls-watcher", intervalMs, this::reloadIfChanged, LOG,
            "the certificate in force");
    }

    /**
     * Re-reads the files now; if their content changed, builds a new context and swaps it in (true), or refuses the
     * files with one log line and keeps the context in force (false). False also when nothing changed. Tests call it
     * to reload without waiting for the poll.
     */
    public synchronized boolean reloadIfChanged()
    {
        final byte[] hash;
        try
        {
            hash = contentHash(certificate, key, clientCa);
        }
        catch (final Invalid ex)
        {
            final byte[] marker = sha256(("unreadable:" + ex.getMessage()).getBytes(StandardCharsets.UTF_8));
            if (!Arrays.equals(marker, lastContentHash))
            {
                lastContentHash = marker;
                LOG.warn("TLS files refused, the certificate in force ({}) stays: {}", subject, ex.getMessage());
            }
            return false;
        }
        if (Arrays.equals(hash, lastContentHash))
        {
            return false;
        }
        lastContentHash = hash;
        final Loaded loaded;
        try
        {
            loaded = build(certificate, key, clientCa);
        }
        catch (final Invalid ex)
        {
            LOG.warn("TLS files refused, the certificate in force ({}) stays: {}", subject, ex.getMessage());
            return false;
        }
        // The hash of what was built: the files may have changed again between the two reads.
        lastContentHash = loaded.contentHash;
        context = loaded.context;
        subject = loaded.subject;
        LOG.info("TLS certificate reloaded from {}: {}", certificate, loaded.subject);
        return true;
    }

    @Override
    public synchronized void close()
    {
        if (watcher != null)
        {
            watcher.close();
            watcher = null;
        }
    }

    private record Loaded(SslContext context, String subject, byte[] contentHash)
    {
    }

    private static Loaded build(final Path certificate, final Path key, final Path clientCa) throws Invalid
    {
        final byte[] certBytes = readBounded(certificate, "--tls-cert");
        final byte[] keyBytes = readBounded(key, "--tls-key");
        final byte[] caBytes = clientCa == null ? new byte[0] : readBounded(clientCa, "--tls-client-ca");
        final X509Certificate leaf = firstCertificate(certBytes, certificate, "--tls-cert");
        if (clientCa != null)
        {
            firstCertificate(caBytes, clientCa, "--tls-client-ca");
        }
        final SslContext context;
        try
        {
            final SslContextBuilder builder = TlsPolicy.apply(SslContextBuilder.forServer(
                new ByteArrayInputStream(certBytes), new ByteArrayInputStream(keyBytes)));
            if (clientCa != null)
            {
                builder.trustManager(new ByteArrayInputStream(caBytes)).clientAuth(ClientAuth.REQUIRE);
            }
            context = builder.build();
        }
        catch (final SSLException | IllegalArgumentException ex)
        {
            throw new Invalid("--tls-cert " + certificate + " / --tls-key " + key
                + (clientCa == null ? "" : " / --tls-client-ca " + clientCa) + " cannot be used: " + rootMessage(ex)
                + " (the key must be PEM, unencrypted PKCS#8: BEGIN PRIVATE KEY)");
        }
        requireMatchingKey(keyBytes, leaf, certificate, key);
        final MessageDigest digest = sha256();
        digest.update(certBytes);
        digest.update(keyBytes);
        digest.update(caBytes);
        return new Loaded(context, leaf.getSubjectX500Principal().getName(), digest.digest());
    }

    /**
     * A key that does not belong to the certificate builds a context that fails every handshake; found here instead,
     * by signing with the key and verifying with the certificate's public key.
     */
    private static void requireMatchingKey(final byte[] keyPem, final X509Certificate leaf, final Path certificate,
        final Path key) throws Invalid
    {
        final PublicKey publicKey = leaf.getPublicKey();
        final String algorithm = switch (publicKey.getAlgorithm())
        {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null)
        {
            throw new Invalid("--tls-cert " + certificate + " has a " + publicKey.getAlgorithm()
                + " key; use RSA or EC");
        }
        final PrivateKey privateKey = privateKey(keyPem, publicKey.getAlgorithm(), key);
        try
        {
            final byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            final Signature signer = Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(challenge);
            final byte[] signature = signer.sign();
            final Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            if (!verifier.verify(signature))
            {
                throw new Invalid("--tls-key " + key + " does not belong to the certificate in --tls-cert "
                    + certificate);
            }
        }
        catch (final GeneralSecurityException ex)
        {
            throw new Invalid("--tls-key " + key + " does not belong to the certificate in --tls-cert " + certificate
                + " (" + ex.getMessage() + ")");
        }
    }

    /** The PKCS#8 key of a PEM file ({@code BEGIN PRIVATE KEY}), of the certificate's key algorithm. */
    private static PrivateKey privateKey(final byte[] pem, final String algorithm, final Path key) throws Invalid
    {
        final String text = new String(pem, StandardCharsets.US_ASCII);
        final int begin = text.indexOf(PKCS8_BEGIN);
        final int end = text.indexOf(PKCS8_END, Math.max(0, begin));
        if (begin < 0 || end < 0)
        {
            throw new Invalid("--tls-key " + key + " holds no unencrypted PKCS#8 key (PEM: " + PKCS8_BEGIN + ")");
        }
        try
        {
            final byte[] der = Base64.getMimeDecoder().decode(text.substring(begin + PKCS8_BEGIN.length(), end));
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        }
        catch (final IllegalArgumentException | GeneralSecurityException ex)
        {
            throw new Invalid("--tls-key " + key + " is not a " + algorithm + " key of the certificate's kind: "
                + ex.getMessage());
        }
    }

    private static X509Certificate firstCertificate(final byte[] pem, final Path file, final String setting)
        throws Invalid
    {
        try
        {
            final Collection<? extends Certificate> all = CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem));
            if (all.isEmpty())
            {
                throw new Invalid(setting + " " + file + " holds no certificate (PEM: BEGIN CERTIFICATE)");
            }
            return (X509Certificate)all.iterator().next();
        }
        catch (final GeneralSecurityException ex)
        {
            throw new Invalid(setting + " " + file + " is not a PEM certificate: " + ex.getMessage());
        }
    }

    private static byte[] contentHash(final Path certificate, final Path key, final Path clientCa) throws Invalid
    {
        final MessageDigest digest = sha256();
        digest.update(readBounded(certificate, "--tls-cert"));
        digest.update(readBounded(key, "--tls-key"));
        if (clientCa != null)
        {
            digest.update(readBounded(clientCa, "--tls-client-ca"));
        }
        return digest.digest();
    }

    private static byte[] readBounded(final Path file, final String setting) throws Invalid
    {
        try
        {
            final long size = Files.size(file);
            if (size > FILE_BYTES_MAX)
            {
                throw new Invalid(setting + " " + file + " is " + size + " bytes; at most " + FILE_BYTES_MAX);
            }
            return Files.readAllBytes(file);
        }
        catch (final IOException ex)
        {
            throw new Invalid(setting + " " + file + " cannot be read: " + ex);
        }
    }

    private static String rootMessage(final Throwable failure)
    {
        Throwable t = failure;
        for (int depth = 0; t.getCause() != null && depth < 16; depth++)
        {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    private static MessageDigest sha256()
    {
        try
        {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is required of every Java platform", ex);
        }
    }

    private static byte[] sha256(final byte[] bytes)
    {
        return sha256().digest(bytes);
    }

    /** TLS files that cannot be used; the message names the setting, the file and what is wrong. */
    public static final class Invalid extends Exception
    {
        private static final long serialVersionUID = 1L;

        public Invalid(final String message)
        {
            super(message);
        }
    }
}
