package io.stockgrid.node;

import io.stockgrid.api.transport.Transport;
import io.stockgrid.grid.WireFormat;
import io.stockgrid.ingest.IngestMetrics;
import io.stockgrid.ingest.binary.BinaryServer;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A port the node cannot bind ends its start with one line naming the address, the port and the setting: each door's
 * port, and the member port when it is fixed (a node of a cluster). As a process, that is a non-zero exit with that
 * one line, not a stack trace and a process that never becomes ready.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PortInUseTest
{
    @TempDir
    Path dir;

    private static ServerSocket taken() throws IOException
    {
        final ServerSocket socket = new ServerSocket();
        socket.bind(new InetSocketAddress("127.0.0.1", 0));
        return socket;
    }

    @Test
    void shouldRefuseToStartOnATakenHttpOrBinaryPortNamingTheSetting() throws Exception
    {
        try (ServerSocket socket = taken())
        {
            final int port = socket.getLocalPort();
            assertThatThrownBy(() -> StockgridNode.start(TestNode.config(dir.resolve("a"))
                .set(Setting.HTTP_PORT, Integer.toString(port)).conclude()))
                .isInstanceOf(CannotListen.class)
                .hasMessage("cannot listen on 127.0.0.1:" + port + " (--http-port): address already in use");
            assertThatThrownBy(() -> StockgridNode.start(TestNode.config(dir.resolve("b"))
                .set(Setting.BINARY_PORT, Integer.toString(port)).conclude()))
                .isInstanceOf(CannotListen.class)
                .hasMessage("cannot listen on 127.0.0.1:" + port + " (--binary-port): address already in use");
        }
        assertThat(Files.exists(dir.resolve("a").resolve("node.lock"))).as("found before anything started")
            .isFalse();
    }

    @Test
    void shouldRefuseATakenMemberPortInAClusterButTakeTheNextOneAlone() throws Exception
    {
        try (ServerSocket socket = taken())
        {
            final int port = socket.getLocalPort();
            assertThatThrownBy(() -> StockgridNode.start(TestNode.config(dir.resolve("a"))
                .set(Setting.MEMBER_PORT, Integer.toString(port))
                .set(Setting.MEMBERS, "127.0.0.1:" + port).conclude()))
                .isInstanceOf(CannotListen.class)
                .hasMessage("cannot listen on 127.0.0.1:" + port + " (--member-port): address already in use");
            try (StockgridNode alone = StockgridNode.start(TestNode.config(dir.resolve("b"))
                .set(Setting.MEMBER_PORT, Integer.toString(port)).conclude()))
            {
                assertThat(alone.hazelcast().getCluster().getLocalMember().getAddress().getPort()).isNotEqualTo(port);
            }
        }
    }

    @Test
    void shouldNameTheMemberPortWhenHazelcastCannotBindIt() throws Exception
    {
        // The port is taken after the early check, just before the member binds: Hazelcast's own failure is named.
        final int port = NodeProcess.freePort();
        final ServerSocket[] holder = new ServerSocket[1];
        try
        {
            assertThatThrownBy(() -> StockgridNode.start(TestNode.config(dir.resolve("a"))
                .set(Setting.MEMBER_PORT, Integer.toString(port))
                .set(Setting.MEMBERS, "127.0.0.1:" + port).conclude(), SystemEpochClock.INSTANCE, config ->
                {
                    try
                    {
                        holder[0] = new ServerSocket();
                        holder[0].bind(new InetSocketAddress("127.0.0.1", port));
                    }
                    catch (final IOException ex)
                    {
                        throw new IllegalStateException(ex);
                    }
                    return WireFormat.newMember(config);
                }))
                .isInstanceOf(CannotListen.class)
                .hasMessage("cannot listen on 127.0.0.1:" + port + " (--member-port): address already in use");
        }
        finally
        {
            if (holder[0] != null)
            {
                holder[0].close();
            }
        }
    }

    @Test
    void shouldNameTheSettingWhenADoorCannotBindOnEitherTransport() throws Exception
    {
        // The door's own bind (after the early check), as Netty reports it on each transport.
        try (ServerSocket socket = taken())
        {
            final int port = socket.getLocalPort();
            for (final Transport transport : List.of(Transport.NIO, Transport.AUTO))
            {
                assertThatThrownBy(() -> CannotListen.bind("127.0.0.1", port, Setting.BINARY_PORT,
                    () -> new BinaryServer("127.0.0.1", port, 1, transport, null, new IngestMetrics(), 65_536, 16)))
                    .as(transport.name()).isInstanceOf(CannotListen.class)
                    .hasMessage("cannot listen on 127.0.0.1:" + port + " (--binary-port): address already in use");
            }
        }
    }

    @Test
    void shouldExitNonZeroWithOneLineWhenASecondNodeFindsItsPortsTaken() throws Exception
    {
        try (StockgridNode first = TestNode.start(dir.resolve("first")))
        {
            for (final String[] taken : List.of(
                new String[] {"--http-port", Integer.toString(first.httpPort())},
                new String[] {"--binary-port", Integer.toString(first.binaryPort())}))
            {
                final String other = taken[0].equals("--http-port") ? "--binary-port" : "--http-port";
                final Process process = new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), StockgridNodeMain.class.getName(),
                    taken[0], taken[1], other, "0", "--member-port", Integer.toString(NodeProcess.freePort()),
                    "--data-dir", dir.resolve("second").toString())
                    .redirectErrorStream(true).start();
                final String output = new String(process.getInputStream().readAllBytes());
                assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(output).isTrue();
                assertThat(process.exitValue()).as(output).isEqualTo(StockgridNodeMain.EXIT_CANNOT_START);
                assertThat(output.strip().lines().filter(l -> l.startsWith("stockgrid:")).toList()).as(output)
                    .containsExactly("stockgrid: cannot listen on 127.0.0.1:" + taken[1] + " (" + taken[0]
                        + "): address already in use");
                assertThat(output).as("no stack trace").doesNotContain("\tat ");
            }
        }
    }
}
