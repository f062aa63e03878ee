package io.stockgrid.node;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Certificates made at test time with Bouncy Castle (never committed): a CA, and server and client certificates it
 * signs, written as the PEM files the node and the client read (certificate, unencrypted PKCS#8 key). EC P-256 keys:
 * quick to make.
 */
final class TestCertificates
{
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());
    private static final char[] PASSWORD = "test".toCharArray();

    private TestCertificates()
    {
    }

    /** A certificate with its key, and where they are written as PEM. */
    record Issued(X509Certificate certificate, KeyPair keys, Path certificatePem, Path keyPem)
    {
        BigInteger serial()
        {
            return certificate.getSerialNumber();
        }
    }

    /** A certificate authority: signs server and client certificates; its own certificate is at {@code pem()}. */
    static final class Ca
    {
        private final Issued self;

        private Ca(final Issued self)
        {
            this.self = self;
        }

        Path pem()
        {
            return self.certificatePem;
        }

        X509Certificate certificate()
        {
            return self.certificate;
        }

        /** A server certificate for 127.0.0.1 and localhost. */
        Issued server(final Path dir, final String name) throws Exception
        {
            return issue(dir, name, self, false, KeyPurposeId.id_kp_serverAuth);
        }

        /** A client certificate (for mutual TLS). */
        Issued client(final Path dir, final String name) throws Exception
        {
            return issue(dir, name, self, false, KeyPurposeId.id_kp_clientAuth);
        }
    }

    static Ca ca(final Path dir, final String name) throws Exception
    {
        return new Ca(issue(dir, name, null, true, null));
    }

    private static Issued issue(final Path dir, final String name, final Issued issuer, final boolean ca,
        final KeyPurposeId purpose) throws Exception
    {
        Files.createDirectories(dir);
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        final KeyPair keys = generator.generateKeyPair();
        final X500Name subject = new X500Name("CN=" + name);
        final Instant now = Instant.now();
        final JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
            issuer == null ? subject : new X500Name(issuer.certificate.getSubjectX500Principal().getName()),
            BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
            Date.from(now.plus(Duration.ofDays(2))), subject, keys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (ca)
        {
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        }
        else
        {
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
        }
        final X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(builder.build(
            new JcaContentSignerBuilder("SHA256withECDSA").build(issuer == null ? keys.getPrivate() :
                issuer.keys.getPrivate())));
        final Path certificatePem = dir.resolve(name + ".pem");
        final Path keyPem = dir.resolve(name + ".key");
        Files.writeString(certificatePem, pem("CERTIFICATE", certificate.getEncoded()));
        Files.writeString(keyPem, pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
        return new Issued(certificate, keys, certificatePem, keyPem);
    }

    static String pem(final String type, final byte[] der)
    {
        return "-----BEGIN " + type + "-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
            + "\n-----END " + type + "-----\n";
    }

    /** A JDK SSL context that trusts {@code ca}, presenting {@code client} if not null. */
    static SSLContext sslContext(final Ca ca, final Issued client) throws Exception
    {
        final KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca.certificate());
        final TrustManagerFactory trustManagers =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        KeyManagerFactory keyManagers = null;
        if (client != null)
        {
            final KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            keyStore.setKeyEntry("client", client.keys().getPrivate(), PASSWORD,
                new Certificate[] {client.certificate()});
            keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keyStore, PASSWORD);
        }
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers == null ? null : keyManagers.getKeyManagers(), trustManagers.getTrustManagers(),
            RANDOM);
        return context;
    }
}
