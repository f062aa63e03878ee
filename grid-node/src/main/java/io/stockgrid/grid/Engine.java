package io.stockgrid.grid;

import java.util.Locale;

/** Where the grid keeps its records (setting {@code --engine}). Set it alike on every member. */
public enum Engine
{
    /** Hazelcast IMaps changed by entry processors (the engine of sessions 1-6). */
    IMAP,
    /** The Stockgrid partition service on Hazelcast's SPI ({@link PartitionStore}): per-partition containers. */
    PARTITION;

    public static Engine parse(final String value)
    {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
    }

    public String settingValue()
    {
        return name().toLowerCase(Locale.ROOT);
    }
}
