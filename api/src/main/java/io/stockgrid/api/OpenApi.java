package io.stockgrid.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The OpenAPI 3 description of HTTP v1, shipped as a resource of this module. */
public final class OpenApi
{
    public static final String RESOURCE = "/io/stockgrid/api/openapi.yaml";

    private OpenApi()
    {
    }

    public static byte[] yamlBytes()
    {
        try (InputStream in = OpenApi.class.getResourceAsStream(RESOURCE))
        {
            if (in == null)
            {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            return in.readAllBytes();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
