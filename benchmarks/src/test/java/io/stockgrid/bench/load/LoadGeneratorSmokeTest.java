package io.stockgrid.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stockgrid.ingest.auth.KeyFile;
import io.stockgrid.ingest.auth.Scope;
import io.stockgrid.node.NodeConfig;
import io.stockgrid.node.Setting;
import io.stockgrid.node.StockgridNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.EnumSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CI smoke run of the load generator: a real node in this JVM, a few seconds of open-loop load at a small rate over
 * HTTP on a few hot SKU-locations (so stock sells out and the refusal path runs too), then the generator's own audit.
 * Asserts that the outputs exist and the audit holds; never asserts on speed.
 */
@Timeout(90)
class LoadGeneratorSmokeTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRunOpenLoopAgainstANodeAndFindNothingOversold() throws Exception
    {
        try (StockgridNode node = startNode("node", 16701))
        {
            final LoadOptions options = new LoadOptions();
            options.ports = Integer.toString(node.httpPort());
            options.rate = 200;
            options.warmupSeconds = 1;
            options.durationSeconds = 3;
            options.connections = 2;
            options.window = 4;
            options.skus = 10;
            options.skew = "zipf";
            options.stock = 20;
            options.out = dir.resolve("out");
            options.noProgress = true;
            options.conclude();
            final ByteArrayOutputStream printed = new ByteArrayOutputStream();
            final LoadGenerator.Result result;
            try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8))
            {
                result = LoadGenerator.run(options, out);
            }
            final String terminal = printed.toString(StandardCharsets.UTF_8);

            assertThat(options.out.resolve(Report.SUMMARY_FILE)).isRegularFile();
            assertThat(options.out.resolve(Charts.LATENCY_FILE)).isRegularFile();
            assertThat(options.out.resolve(Charts.THROUGHPUT_FILE)).isRegularFile();
            assertThat(Files.size(options.out.resolve(Charts.LATENCY_FILE))).isPositive();
            assertThat(options.out.resolve("http.hgrm")).isRegularFile();
            assertThat(terminal).contains("oversold units: 0").contains("audit PASSED");

            final RunResult run = result.runs().get(0);
            assertThat(run.audit().oversoldUnits()).isZero();
            assertThat(run.audit().everyAcceptedPresent()).isTrue();
            assertThat(run.audit().acceptedReservations()).isPositive();
            assertThat(run.tally(LoadStats.REJECTED)).as("stock sold out, so some reserves were refused").isPositive();
            assertThat(result.passed()).isTrue();

            final JsonNode summary = new ObjectMapper().readTree(options.out.resolve(Report.SUMMARY_FILE).toFile());
            assertThat(summary.path("passed").asBoolean()).isTrue();
            final JsonNode audit = summary.path("runs").path(0).path("audit");
            assertThat(audit.path("oversoldUnits").asLong()).isZero();
            assertThat(audit.path("everyAcceptedReservationPresent").asBoolean()).isTrue();
        }
    }

    @Test
    void shouldDriveTheBinaryProtocolAndFindNothingOversold() throws Exception
    {
        try (StockgridNode node = startNode("node-binary", 16801))
        {
            final LoadOptions options = new LoadOptions();
            options.targets = java.util.List.of("binary");
            options.ports = Integer.toString(node.binaryPort());
            options.rate = 0;
            options.warmupSeconds = 1;
            options.durationSeconds = 2;
            options.connections = 2;
            options.window = 8;
            options.skus = 10;
            options.skew = "hot";
            options.stock = 50;
            options.out = dir.resolve("out-binary");
            options.noProgress = true;
            options.conclude();
            final LoadGenerator.Result result;
            try (PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
            {
                result = LoadGenerator.run(options, out);
            }
            final RunResult run = result.runs().get(0);
            assertThat(options.out.resolve("binary.hgrm")).isRegularFile();
            assertThat(run.audit().oversoldUnits()).isZero();
            assertThat(run.audit().everyAcceptedPresent()).isTrue();
            assertThat(run.audit().acceptedReservations()).isPositive();
            assertThat(run.tally(LoadStats.REJECTED)).as("a hot key sold out, so some reserves were refused")
                .isPositive();
            assertThat(result.passed()).isTrue();
        }
    }

    @Test
    void shouldDriveANodeWithApiKeysThroughBothDoorsWithTheGivenKey() throws Exception
    {
        final String secret = KeyFile.newSecret(new SecureRandom());
        final Path keys = dir.resolve("keys.json");
        Files.writeString(keys, "{\"keys\":[" + KeyFile.entryJson("bench", secret, EnumSet.of(Scope.STOCK_WRITE,
            Scope.RESERVATIONS_WRITE, Scope.READ), 1_000_000, 1_000_000) + "]}");
        try (StockgridNode node = startNode("node-keys", 16901, keys))
        {
            final LoadOptions options = new LoadOptions();
            options.targets = java.util.List.of("http", "binary");
            options.ports = node.httpPort() + "," + node.binaryPort();
            options.apiKey = secret;
            options.rate = 200;
            options.warmupSeconds = 1;
            options.durationSeconds = 2;
            options.connections = 2;
            options.window = 4;
            options.skus = 10;
            options.stock = 20;
            options.out = dir.resolve("out-keys");
            options.noProgress = true;
            options.conclude();
            final LoadGenerator.Result result;
            try (PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
            {
                result = LoadGenerator.run(options, out);
            }
            for (final RunResult run : result.runs())
            {
                assertThat(run.audit().oversoldUnits()).isZero();
                assertThat(run.audit().acceptedReservations()).as("reservations made with the key").isPositive();
            }
            assertThat(result.passed()).isTrue();
        }
    }

    @Test
    void shouldDriveANodeOverTlsThroughBothDoors() throws Exception
    {
        final Path pki = dir.resolve("pki");
        Files.createDirectories(pki);
        final Path cert = pki.resolve("node.pem");
        final Path key = pki.resolve("node.key");
        selfSignedFor127(cert, key);
        try (StockgridNode node = StockgridNode.start(nodeConfig("node-tls", 16951, null)
            .set(Setting.TLS_CERT, cert.toString()).set(Setting.TLS_KEY, key.toString()).conclude()))
        {
            final LoadOptions options = new LoadOptions();
            options.targets = java.util.List.of("http", "binary");
            options.ports = node.httpPort() + "," + node.binaryPort();
            options.tls = true;
            options.tlsCa = cert.toString();
            options.rate = 200;
            options.warmupSeconds = 1;
            options.durationSeconds = 2;
            options.connections = 2;
            options.window = 4;
            options.skus = 10;
            options.stock = 20;
            options.out = dir.resolve("out-tls");
            options.noProgress = true;
            options.conclude();
            final LoadGenerator.Result result;
            final ByteArrayOutputStream printed = new ByteArrayOutputStream();
            try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8))
            {
                result = LoadGenerator.run(options, out);
            }
            for (final RunResult run : result.runs())
            {
                assertThat(run.audit().oversoldUnits()).isZero();
                assertThat(run.audit().acceptedReservations()).as("reservations made over TLS").isPositive();
            }
            assertThat(result.passed()).isTrue();
            assertThat(printed.toString(StandardCharsets.UTF_8)).contains("https://").contains("over TLS");
        }
    }

    /** A self-signed EC certificate for 127.0.0.1 (trusted as its own CA by --tls-ca), made now, never committed. */
    private static void selfSignedFor127(final Path cert, final Path key) throws Exception
    {
        final java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("EC");
        generator.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        final java.security.KeyPair keys = generator.generateKeyPair();
        final org.bouncycastle.asn1.x500.X500Name name = new org.bouncycastle.asn1.x500.X500Name("CN=bench-node");
        final long now = System.currentTimeMillis();
        final org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder builder =
            new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(name, java.math.BigInteger.valueOf(now),
                new java.util.Date(now - 3_600_000L), new java.util.Date(now + 86_400_000L), name, keys.getPublic());
        builder.addExtension(org.bouncycastle.asn1.x509.Extension.subjectAlternativeName, false,
            new org.bouncycastle.asn1.x509.GeneralNames(new org.bouncycastle.asn1.x509.GeneralName(
                org.bouncycastle.asn1.x509.GeneralName.iPAddress, "127.0.0.1")));
        final java.security.cert.X509Certificate certificate =
            new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(builder.build(
                new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA")
                    .build(keys.getPrivate())));
        final java.util.Base64.Encoder base64 = java.util.Base64.getMimeEncoder(64, new byte[] {'\n'});
        Files.writeString(cert, "-----BEGIN CERTIFICATE-----\n" + base64.encodeToString(certificate.getEncoded())
            + "\n-----END CERTIFICATE-----\n");
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n" + base64.encodeToString(keys.getPrivate().getEncoded())
            + "\n-----END PRIVATE KEY-----\n");
    }

    /** A real node in this JVM, on free HTTP and binary ports and its own data dir and cluster name. */
    private StockgridNode startNode(final String name, final int memberPort) throws Exception
    {
        return startNode(name, memberPort, null);
    }

    private StockgridNode startNode(final String name, final int memberPort, final Path keys) throws Exception
    {
        return StockgridNode.start(nodeConfig(name, memberPort, keys).conclude());
    }

    private NodeConfig nodeConfig(final String name, final int memberPort, final Path keys)
    {
        return new NodeConfig()
            .set(Setting.AUTH_KEYS, keys == null ? "" : keys.toString())
            .set(Setting.HTTP_PORT, "0")
            .set(Setting.BINARY_PORT, "0")
            .set(Setting.DATA_DIR, dir.resolve(name).toString())
            .set(Setting.MEMBER_PORT, Integer.toString(memberPort))
            .set(Setting.CLUSTER_NAME, "bench-" + name + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime())
            .set(Setting.DRAIN_TIMEOUT_SECONDS, "5");
    }
}
