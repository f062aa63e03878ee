package io.stockgrid.ingest;

import io.stockgrid.api.ErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One structured line per mutating request (set stock, adjust, return, reserve, commit, release), from both doors,
 * on the SLF4J logger {@value #LOGGER_NAME} at INFO, as {@code key=value} pairs in a fixed order:
 * <pre>
 * door=http op=reserve correlationId=order-7781 reservationId=order-7781 lines=2 status=201 error=- latencyUs=812
 * door=binary op=adjust_stock correlationId=sg-5f3a9c1e07d2-1a sku=SKU-1 location=WH-1 eventId=erp-42 status=409
 *   error=NEGATIVE_STOCK latencyUs=356
 * </pre>
 * Key fields appear only once validated (a refused request may have none). Values are identifiers of the v1
 * contract (no spaces); a correlation id that holds {@code "}, {@code =} or {@code \} is quoted, with {@code "} and
 * {@code \} escaped. The binary door's {@code status} is the HTTP status the same answer has over HTTP.
 * <p>
 * Nothing is built unless {@link #isEnabled()}: callers check it first, so with the logger above INFO the request
 * path pays one volatile read and a level check.
 */
public final class RequestLog
{
    public static final String LOGGER_NAME = "stockgrid.requests";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER_NAME);
    private static final int LINE_CHARS_INITIAL = 192;

    private final String idPrefix;
    private final AtomicLong lastId = new AtomicLong();
    private volatile Consumer<String> tap;

    public RequestLog()
    {
        // 48 random bits per node: generated ids from different nodes (and restarts) do not collide in practice.
        final long random = new SecureRandom().nextLong() & 0xFFFF_FFFF_FFFFL;
        final String hex = Long.toHexString(random);
        idPrefix = "sg-" + "0".repeat(12 - hex.length()) + hex + "-";
    }

    /** True if a line would go anywhere; callers build nothing otherwise. */
    public boolean isEnabled()
    {
        return tap != null || LOG.isInfoEnabled();
    }

    /**
     * A correlation id for a request that brought none: this node's random prefix and a counter, e.g.
     * {@code sg-5f3a9c1e07d2-1a}. Unique per node without coordination, and cheap (no SecureRandom per call).
     */
    public String newCorrelationId()
    {
        return idPrefix + Long.toHexString(lastId.incrementAndGet());
    }

    /** Also hands every line to {@code tap} (null to stop), whatever the logger's level. For tests. */
    public void tap(final Consumer<String> tap)
    {
        this.tap = tap;
    }

    /**
     * Logs one answered mutating request.
     *
     * @param door          {@code http} or {@code binary}.
     * @param keyId         the caller's API key id, or null when the call carried none (no keys configured, or
     *                      refused as unauthenticated): logged as {@code keyId=-}.
     * @param command       the validated command (its key fields are logged), or null if the request was refused
     *                      before one was made.
     * @param status        the HTTP status of the answer (for the binary door: the one HTTP would have answered).
     * @param error         the answer's error code, or null for a success.
     */
    public void log(final String door, final Operation op, final String correlationId, final String keyId,
        final Object command, final int status, final ErrorCode error, final long latencyNs)
    {
        final StringBuilder line = new StringBuilder(LINE_CHARS_INITIAL);
        line.append("door=").append(door).append(" op=").append(op.label());
        line.append(" correlationId=");
        appendQuotedIfNeeded(line, correlationId == null ? "-" : correlationId);
        line.append(" keyId=").append(keyId == null ? "-" : keyId);
        appendKeyFields(line, command);
        line.append(" status=").append(status);
        line.append(" error=").append(error == null ? "-" : error.name());
        line.append(" latencyUs=").append(latencyNs / 1_000);
        final String text = line.toString();
        final Consumer<String> t = tap;
        if (t != null)
        {
            t.accept(text);
        }
        LOG.info(text);
    }

    private static void appendKeyFields(final StringBuilder line, final Object command)
    {
        if (command instanceof Commands.SetStock c)
        {
            line.append(" sku=").append(c.sku()).append(" location=").append(c.location());
        }
        else if (command instanceof Commands.Adjust c)
        {
            line.append(" sku=").append(c.sku()).append(" location=").append(c.location())
                .append(" eventId=").append(c.eventId());
        }
        else if (command instanceof Commands.Return c)
        {
            line.append(" sku=").append(c.sku()).append(" location=").append(c.location())
                .append(" returnId=").append(c.returnId());
        }
        else if (command instanceof Commands.Reserve c)
        {
            line.append(" reservationId=").append(c.reservationId()).append(" lines=").append(c.lines().size());
        }
        else if (command instanceof Commands.Settle c)
        {
            line.append(" reservationId=").append(c.reservationId());
        }
    }

    private static void appendQuotedIfNeeded(final StringBuilder line, final String value)
    {
        boolean plain = true;
        for (int i = 0; i < value.length() && plain; i++)
        {
            final char c = value.charAt(i);
            plain = c != '"' && c != '=' && c != '\\' && c > ' ' && c < 0x7f;
        }
        if (plain)
        {
            line.append(value);
            return;
        }
        line.append('"');
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            if (c == '"' || c == '\\')
            {
                line.append('\\');
            }
            line.append(c < ' ' || c >= 0x7f ? '?' : c);
        }
        line.append('"');
    }
}
