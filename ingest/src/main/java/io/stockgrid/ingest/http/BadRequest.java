package io.stockgrid.ingest.http;

/** A request the HTTP door refuses before anything is changed; the message names the offending field. */
final class BadRequest extends Exception
{
    BadRequest(final String message)
    {
        super(message, null, false, false);
    }
}
