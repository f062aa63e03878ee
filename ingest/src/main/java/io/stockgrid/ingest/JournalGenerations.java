package io.stockgrid.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A node's journal is a series of generations, {@code <data-dir>/journal/gen-000001}, {@code gen-000002}, ...: each
 * start appends to a new one and replays the older ones first. A generation is dropped as a whole once newer ones
 * cover it: when the node takes a running cluster's state instead of its own, or once snapshots in the current
 * generation cover everything the older ones held.
 */
public final class JournalGenerations
{
    private static final String PREFIX = "gen-";

    private JournalGenerations()
    {
    }

    /** The node's existing generations, oldest first. */
    public static List<Path> existing(final Path dataDir)
    {
        final Path root = Journal.directory(dataDir);
        if (!Files.isDirectory(root))
        {
            return List.of();
        }
        try (Stream<Path> children = Files.list(root))
        {
            return children.filter(p -> Files.isDirectory(p) && p.getFileName().toString().startsWith(PREFIX))
                .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                .toList();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** The directory of the generation after {@code existing}. */
    public static Path next(final Path dataDir, final List<Path> existing)
    {
        int last = 0;
        for (final Path p : existing)
        {
            last = Math.max(last, Integer.parseInt(p.getFileName().toString().substring(PREFIX.length())));
        }
        return Journal.directory(dataDir).resolve(String.format("%s%06d", PREFIX, last + 1));
    }

    /** Deletes whole generations (they must not be open). */
    public static void delete(final List<Path> generations)
    {
        for (final Path dir : generations)
        {
            try (Stream<Path> walk = Files.walk(dir))
            {
                final List<Path> paths = new ArrayList<>(walk.toList());
                paths.sort(Comparator.reverseOrder());
                for (final Path p : paths)
                {
                    Files.deleteIfExists(p);
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
    }
}
