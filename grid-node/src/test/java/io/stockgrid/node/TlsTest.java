package io.stockgrid.node;

import io.stockgrid.api.Availability;
import io.stockgrid.api.client.ClientTls;
import io.stockgrid.api.client.StockgridClient;
import io.stockgrid.api.client.StockgridException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * TLS on both doors of a real node, with certificates made at test time: a handshake and a call through each door,
 * plain text refused on the TLS ports, client certificates required with --tls-client-ca (none, or one from another
 * CA, is refused), a replaced certificate seen by new connections (and a bad replacement refused, the old one kept),
 * and certificate settings that cannot be used refused at start naming the setting.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsTest
{
    @TempDir
    static Path dir;
    private static TestCertificates.Ca ca;
    private static TestCertificates.Issued server;
    private static StockgridNode node;

    @BeforeAll
    static void startNode() throws Exception
    {
        ca = TestCertificates.ca(dir.resolve("pki"), "test-ca");
        server = ca.server(dir.resolve("pki"), "node-1");
        node = StockgridNode.start(TestNode.config(dir.resolve("data"))
            .set(Setting.TLS_CERT, server.certificatePem().toString())
            .set(Setting.TLS_KEY, server.keyPem().toString()).conclude());
    }

    @AfterAll
    static void stopNode()
    {
        if (node != null)
        {
            node.close();
        }
    }

    private static HttpResponse<String> https(final SSLContext context, final int port, final String method,
        final String path, final String body) throws IOException, InterruptedException
    {
        final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(context)
            .connectTimeout(Duration.ofSeconds(5)).build();
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() :
                HttpRequest.BodyPublishers.ofString(body));
        if (body != null)
        {
            request.header("Content-Type", "application/json");
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static StockgridClient.Builder client(final int port, final ClientTls tls)
    {
        return StockgridClient.builder().address("127.0.0.1", port).tls(tls).connectTimeout(Duration.ofSeconds(10))
            .maxRetries(0);
    }

    /** The serial of the certificate a new TLS connection to {@code port} is shown. */
    private static BigInteger servedSerial(final SSLContext context, final int port) throws Exception
    {
        try (SSLSocket socket = (SSLSocket)context.getSocketFactory().createSocket("127.0.0.1", port))
        {
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            return ((X509Certificate)socket.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    /** Sends plain text to a TLS port and answers what came back before the node closed (nothing is expected). */
    private static String plainText(final int port, final byte[] request) throws IOException
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            final InputStream in = socket.getInputStream();
            final byte[] answer = in.readNBytes(64);
            return new String(answer, StandardCharsets.ISO_8859_1);
        }
        catch (final java.net.SocketException reset)
        {
            return "";
        }
    }

    @Test
    void shouldServeAnHttpsCallAndABinaryCallOverTls() throws Exception
    {
        final SSLContext trusting = TestCertificates.sslContext(ca, null);
        final HttpResponse<String> put = https(trusting, node.httpPort(), "PUT", "/v1/stock/TLS-1/WH-1",
            "{\"onHand\":7}");
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        assertThat(put.sslSession()).get().extracting(s -> s.getProtocol()).isIn("TLSv1.3", "TLSv1.2");
        try (StockgridClient client = client(node.binaryPort(), ClientTls.trusting(ca.pem())).build())
        {
            final Availability availability = client.availability("TLS-1", "WH-1");
            assertThat(availability.onHand()).isEqualTo(7);
            assertThat(client.setStock("TLS-1", "WH-1", 9, 0).onHand()).isEqualTo(9);
        }
        assertThat(https(trusting, node.httpPort(), "GET", "/v1/availability/TLS-1/WH-1", null).body())
            .contains("\"onHand\":9");
    }

    @Test
    void shouldRefusePlainTextOnTheTlsPorts() throws Exception
    {
        final String http = plainText(node.httpPort(),
            "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(http).as("no HTTP answer in plain text").doesNotContain("HTTP/1.1");
        assertThatThrownBy(() -> client(node.binaryPort(), null).build()).isInstanceOf(StockgridException.class)
            .hasMessageContaining("could not connect");
    }

    @Test
    void shouldRefuseANodeCertificateTheClientDoesNotTrust() throws Exception
    {
        final TestCertificates.Ca other = TestCertificates.ca(dir.resolve("other"), "other-ca");
        assertThatThrownBy(() -> client(node.binaryPort(), ClientTls.trusting(other.pem())).build())
            .isInstanceOf(StockgridException.class).hasMessageContaining("TLS handshake");
        assertThatThrownBy(() -> https(TestCertificates.sslContext(other, null), node.httpPort(), "GET",
            "/health/live", null)).isInstanceOf(IOException.class);
    }

    @Test
    void shouldRequireAClientCertificateFromTheClientCaWithMutualTls() throws Exception
    {
        final Path pki = dir.resolve("mtls");
        final TestCertificates.Issued client = ca.client(pki, "shop-client");
        final TestCertificates.Ca other = TestCertificates.ca(pki, "rogue-ca");
        final TestCertificates.Issued rogue = other.client(pki, "rogue-client");
        try (StockgridNode mtls = StockgridNode.start(TestNode.config(dir.resolve("data-mtls"))
            .set(Setting.TLS_CERT, server.certificatePem().toString())
            .set(Setting.TLS_KEY, server.keyPem().toString())
            .set(Setting.TLS_CLIENT_CA, ca.pem().toString()).conclude()))
        {
            assertThat(https(TestCertificates.sslContext(ca, client), mtls.httpPort(), "GET", "/health/live", null)
                .statusCode()).isEqualTo(200);
            assertThatThrownBy(() -> https(TestCertificates.sslContext(ca, null), mtls.httpPort(), "GET",
                "/health/live", null)).as("no client certificate").isInstanceOf(IOException.class);
            assertThatThrownBy(() -> https(TestCertificates.sslContext(ca, rogue), mtls.httpPort(), "GET",
                "/health/live", null)).as("a client certificate of another CA").isInstanceOf(IOException.class);

            try (StockgridClient ok = client(mtls.binaryPort(), ClientTls.trusting(ca.pem())
                .withClientCertificate(client.certificatePem(), client.keyPem())).build())
            {
                assertThat(ok.availability("MTLS-1", "WH-1").onHand()).isZero();
            }
            assertThatThrownBy(() -> client(mtls.binaryPort(), ClientTls.trusting(ca.pem())).build())
                .as("no client certificate").isInstanceOf(StockgridException.class);
            assertThatThrownBy(() -> client(mtls.binaryPort(), ClientTls.trusting(ca.pem())
                .withClientCertificate(rogue.certificatePem(), rogue.keyPem())).build())
                .as("a client certificate of another CA").isInstanceOf(StockgridException.class);
        }
    }

    @Test
    void shouldServeAReplacedCertificateToNewConnectionsAndKeepTheOldOneWhenTheNewFilesAreBad() throws Exception
    {
        final Path live = dir.resolve("rotating");
        Files.createDirectories(live);
        final Path cert = live.resolve("tls.pem");
        final Path key = live.resolve("tls.key");
        final TestCertificates.Issued first = ca.server(dir.resolve("rotate-pki"), "first");
        final TestCertificates.Issued second = ca.server(dir.resolve("rotate-pki"), "second");
        final TestCertificates.Issued third = ca.server(dir.resolve("rotate-pki"), "third");
        Files.copy(first.certificatePem(), cert);
        Files.copy(first.keyPem(), key);
        try (StockgridNode rotating = StockgridNode.start(TestNode.config(dir.resolve("data-rotating"))
            .set(Setting.TLS_CERT, cert.toString()).set(Setting.TLS_KEY, key.toString()).conclude()))
        {
            final SSLContext trusting = TestCertificates.sslContext(ca, null);
            try (StockgridClient before = client(rotating.binaryPort(), ClientTls.trusting(ca.pem())).build())
            {
                assertThat(servedSerial(trusting, rotating.httpPort())).isEqualTo(first.serial());
                assertThat(servedSerial(trusting, rotating.binaryPort())).isEqualTo(first.serial());

                Files.copy(second.keyPem(), key, StandardCopyOption.REPLACE_EXISTING);
                Files.copy(second.certificatePem(), cert, StandardCopyOption.REPLACE_EXISTING);
                assertThat(rotating.tls().reloadIfChanged()).isTrue();
                assertThat(servedSerial(trusting, rotating.httpPort())).isEqualTo(second.serial());
                assertThat(servedSerial(trusting, rotating.binaryPort())).isEqualTo(second.serial());
                assertThat(before.availability("ROT-1", "WH-1").onHand()).as("an open connection stays")
                    .isZero();

                // A certificate whose key is not there yet (a half-done rotation), then a file that is not PEM:
                // both refused, the certificate in force stays.
                Files.copy(third.certificatePem(), cert, StandardCopyOption.REPLACE_EXISTING);
                assertThat(rotating.tls().reloadIfChanged()).isFalse();
                assertThat(servedSerial(trusting, rotating.binaryPort())).isEqualTo(second.serial());
                Files.writeString(cert, "not a certificate");
                assertThat(rotating.tls().reloadIfChanged()).isFalse();
                assertThat(servedSerial(trusting, rotating.httpPort())).isEqualTo(second.serial());

                Files.copy(third.certificatePem(), cert, StandardCopyOption.REPLACE_EXISTING);
                Files.copy(third.keyPem(), key, StandardCopyOption.REPLACE_EXISTING);
                assertThat(rotating.tls().reloadIfChanged()).isTrue();
                assertThat(servedSerial(trusting, rotating.httpPort())).isEqualTo(third.serial());
            }
        }
    }

    @Test
    void shouldRefuseTlsSettingsThatCannotBeUsedNamingTheSetting() throws Exception
    {
        final Path bad = dir.resolve("bad.pem");
        Files.writeString(bad, "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
        final TestCertificates.Issued other = ca.server(dir.resolve("bad-pki"), "other");
        assertThatThrownBy(() -> TestNode.config(dir.resolve("x")).set(Setting.TLS_CERT, server.certificatePem()
            .toString()).conclude()).hasMessageContaining("--tls-key").hasMessageContaining("must be set");
        assertThatThrownBy(() -> TestNode.config(dir.resolve("x")).set(Setting.TLS_CLIENT_CA, ca.pem().toString())
            .conclude()).hasMessageContaining("--tls-client-ca").hasMessageContaining("needs --tls-cert");
        assertThatThrownBy(() -> TestNode.config(dir.resolve("x")).set(Setting.TLS_CERT, bad.toString())
            .set(Setting.TLS_KEY, server.keyPem().toString()).conclude())
            .hasMessageContaining("--tls-cert").hasMessageContaining("cannot be used");
        assertThatThrownBy(() -> TestNode.config(dir.resolve("x")).set(Setting.TLS_CERT, server.certificatePem()
            .toString()).set(Setting.TLS_KEY, other.keyPem().toString()).conclude())
            .hasMessageContaining("does not belong to the certificate");
        assertThatThrownBy(() -> TestNode.config(dir.resolve("x")).set(Setting.TLS_CERT, server.certificatePem()
            .toString()).set(Setting.TLS_KEY, dir.resolve("missing.key").toString()).conclude())
            .hasMessageContaining("--tls-key").hasMessageContaining("not a readable file");
    }
}
