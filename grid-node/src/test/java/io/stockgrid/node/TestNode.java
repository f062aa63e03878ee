package io.stockgrid.node;

import java.nio.file.Path;

/** Starts a real node in this JVM on free ports and a temp data dir, for tests. */
public final class TestNode
{
    private TestNode()
    {
    }

    public static NodeConfig config(final Path dataDir)
    {
        return new NodeConfig()
            .set(Setting.HTTP_PORT, "0")
            .set(Setting.BINARY_PORT, "0")
            .set(Setting.DATA_DIR, dataDir.toString())
            .set(Setting.MEMBER_PORT, "15701")
            .set(Setting.CLUSTER_NAME, "test-" + ProcessHandle.current().pid() + "-" + System.nanoTime())
            .set(Setting.DRAIN_TIMEOUT_SECONDS, "5")
            .set(Setting.EXPIRY_SWEEP_INTERVAL_MS, "50");
    }

    public static StockgridNode start(final Path dataDir) throws Exception
    {
        return StockgridNode.start(config(dataDir).conclude());
    }
}
