package io.stockgrid.ingest;

import java.util.concurrent.CompletableFuture;

/**
 * What the HTTP door's admin routes ask of the node. The grid module implements it (the ingest does not know
 * Hazelcast); the door only renders the answers.
 */
public interface AdminView
{
    /** The cluster as this member sees it, as a JSON object (see {@code GET /admin/cluster} in the OpenAPI document). */
    CompletableFuture<byte[]> clusterJson();

    /**
     * Starts a graceful drain and shutdown of this node in the background (readiness goes 503, in-flight requests
     * finish, then everything stops, as on SIGTERM). Repeating it while a drain runs changes nothing.
     *
     * @return false if the node cannot drain yet (it is still starting); true if a drain is now under way.
     */
    boolean drain();
}
