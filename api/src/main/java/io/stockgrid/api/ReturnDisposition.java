package io.stockgrid.api;

/** What happens to returned units: RESTOCK adds them to onHand, DAMAGED only records the return. */
public enum ReturnDisposition
{
    RESTOCK(0),
    DAMAGED(1);

    /** Dispositions by code, built once; null where no disposition has that code. */
    private static final ReturnDisposition[] BY_CODE = byCode();

    private final int code;

    ReturnDisposition(final int code)
    {
        this.code = code;
    }

    /**
     * The number this disposition is stored as (one byte, 0..127; the ingest journal's return commands). It is fixed
     * here rather than taken from {@link #ordinal()}, so adding or reordering constants cannot change what a journal
     * already on disk means by it. The codes are the ordinals they replaced; never reuse one. The binary client
     * protocol has its own codes (1 and 2, in {@code binary.WireCodes}, where 0 means missing): do not mix the two.
     */
    public int journalCode()
    {
        return code;
    }

    /** The disposition with this {@link #journalCode()}; an unknown code (a damaged record, a newer build) is refused. */
    public static ReturnDisposition ofJournalCode(final int code)
    {
        final ReturnDisposition disposition = code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
        if (disposition == null)
        {
            throw new IllegalArgumentException("unknown ReturnDisposition code " + code);
        }
        return disposition;
    }

    private static ReturnDisposition[] byCode()
    {
        final ReturnDisposition[] byCode = new ReturnDisposition[Byte.MAX_VALUE + 1];
        for (final ReturnDisposition d : values())
        {
            if (d.code < 0 || d.code > Byte.MAX_VALUE || byCode[d.code] != null)
            {
                throw new IllegalStateException("ReturnDisposition code " + d.code + " of " + d + " is out of range"
                    + " or taken");
            }
            byCode[d.code] = d;
        }
        return byCode;
    }
}
