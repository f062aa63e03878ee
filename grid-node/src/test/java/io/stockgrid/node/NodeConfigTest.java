package io.stockgrid.node;

import io.stockgrid.api.transport.Transport;
import io.stockgrid.ingest.Journal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NodeConfigTest
{
    @TempDir
    Path tmp;

    @Test
    void shouldUseDefaultsWhenNothingIsGiven()
    {
        final NodeConfig config = NodeConfig.resolve(new String[0], Map.of());
        assertThat(config.httpPort()).isEqualTo(8080);
        assertThat(config.dataDir()).isEqualTo(Path.of("./data"));
        assertThat(config.bindAddress).isEqualTo("127.0.0.1");
        assertThat(config.journalDurability).isEqualTo(Journal.Durability.MAPPED);
        assertThat(config.idempotencyRetentionMs).isEqualTo(24 * 3_600_000L);
    }

    @Test
    void shouldPreferFlagOverEnvironmentOverFileOverDefault() throws Exception
    {
        final Path file = tmp.resolve("node.properties");
        Files.writeString(file, "http-port=7001\ndata-dir=/from/file\nmax-in-flight=10\n");
        final NodeConfig config = NodeConfig.resolve(new String[] {"--config", file.toString(), "--http-port=7003"},
            Map.of("STOCKGRID_HTTP_PORT", "7002", "STOCKGRID_DATA_DIR", "/from/env"));
        assertThat(config.httpPort()).isEqualTo(7003);
        assertThat(config.dataDir()).isEqualTo(Path.of("/from/env"));
        assertThat(config.maxInFlight).isEqualTo(10);
    }

    @Test
    void shouldRefuseBadSettingsNamingTheSettingAndValue()
    {
        assertThatThrownBy(() -> NodeConfig.resolve(new String[] {"--http-port", "99999"}, Map.of()))
            .hasMessageContaining("--http-port").hasMessageContaining("STOCKGRID_HTTP_PORT")
            .hasMessageContaining("99999");
        assertThatThrownBy(() -> NodeConfig.resolve(new String[] {"--member-port", "8080"}, Map.of()))
            .hasMessageContaining("--member-port").hasMessageContaining("must differ");
        assertThatThrownBy(() -> NodeConfig.resolve(new String[] {"--journal-durability", "fast"}, Map.of()))
            .hasMessageContaining("--journal-durability").hasMessageContaining("fast");
        assertThatThrownBy(() -> NodeConfig.resolve(new String[] {"--reservations-format", "json"}, Map.of()))
            .hasMessageContaining("--reservations-format").hasMessageContaining("json")
            .hasMessageContaining("'binary' or 'object'");
        assertThatThrownBy(() -> NodeConfig.resolve(new String[] {"--transport", "uring"}, Map.of()))
            .hasMessageContaining("--transport").hasMessageContaining("uring")
            .hasMessageContaining("'auto', 'epoll' or 'nio'");
        assertThat(NodeConfig.resolve(new String[] {"--transport", "NIO"}, Map.of()).transport)
            .isEqualTo(Transport.NIO);
        assertThatThrownBy(() -> NodeConfig.resolve(new String[] {"--no-such-flag", "1"}, Map.of()))
            .hasMessageContaining("unknown flag --no-such-flag");
        assertThatThrownBy(() -> NodeConfig.resolve(new String[] {"--http-port"}, Map.of()))
            .hasMessageContaining("needs a value");
        assertThatThrownBy(() -> NodeConfig.resolve(new String[0], Map.of("STOCKGRID_MAX_IN_FLIGHT", "lots")))
            .hasMessageContaining("STOCKGRID_MAX_IN_FLIGHT").hasMessageContaining("lots");
        assertThatThrownBy(() -> NodeConfig.resolve(new String[] {"--config", tmp.resolve("missing").toString()},
            Map.of())).hasMessageContaining("cannot read");
    }

    @Test
    void shouldConfigureTheBinaryDoorAndRefuseBadValuesNamingTheSetting()
    {
        final NodeConfig defaults = NodeConfig.resolve(new String[0], Map.of());
        assertThat(defaults.binaryPort()).isEqualTo(7070);
        assertThat(defaults.binaryMaxFrameBytes).isEqualTo(65_536);
        final NodeConfig set = NodeConfig.resolve(new String[] {"--binary-port", "0"},
            Map.of("STOCKGRID_BINARY_MAX_FRAME_BYTES", "32768"));
        assertThat(set.binaryPort()).isZero();
        assertThat(set.binaryMaxFrameBytes).isEqualTo(32_768);
        assertThatThrownBy(() -> NodeConfig.resolve(new String[] {"--binary-max-frame-bytes", "1024"}, Map.of()))
            .hasMessageContaining("--binary-max-frame-bytes").hasMessageContaining("STOCKGRID_BINARY_MAX_FRAME_BYTES")
            .hasMessageContaining("'1024'").hasMessageContaining("32768..16777216");
        assertThatThrownBy(() -> NodeConfig.resolve(new String[] {"--binary-port", "8080"}, Map.of()))
            .hasMessageContaining("--binary-port").hasMessageContaining("must differ from --http-port (8080)");
    }

    @Test
    void shouldRefuseUnknownKeyInConfigFile() throws Exception
    {
        final Path file = tmp.resolve("bad.properties");
        Files.writeString(file, "http_port=1\n");
        assertThatThrownBy(() -> NodeConfig.resolve(new String[] {"--config", file.toString()}, Map.of()))
            .hasMessageContaining("unknown key 'http_port'");
    }

    @Test
    void shouldDocumentEverySettingInTheReadmeTable() throws Exception
    {
        final String readme = Files.readString(Path.of("..", "README.md"));
        for (final Setting s : Setting.values())
        {
            final String row = "| `" + s.flag() + "` | `" + s.env() + "` | "
                + (s.defaultValue().isEmpty() ? "(none)" : "`" + s.defaultValue() + "`") + " | " + s.description()
                + " |";
            assertThat(readme).as("README configuration row for " + s.flag()).contains(row);
        }
    }
}
