package io.stockgrid.node.cluster;

import java.util.ArrayList;
import java.util.List;

/**
 * The (sku, location) keys of a flash sale and the stock each is given before the load: a few hot SKUs everyone
 * wants, and a long tail. Nothing but the driver's reservations changes them afterwards, so the stock set here is
 * the stock there was to take.
 */
public final class StockPlan
{
    public record Key(int index, String sku, String location, long stock, boolean hot)
    {
        public String path()
        {
            return sku + "/" + location;
        }
    }

    private final List<Key> keys = new ArrayList<>();
    private final int hotCount;

    private StockPlan(final int hotCount)
    {
        this.hotCount = hotCount;
    }

    /**
     * @param hot       hot keys (SKU HOT-i at DC-1), each with {@code hotStock} units.
     * @param tailSkus  tail SKUs, each at two locations, each key with {@code tailStock} units.
     */
    public static StockPlan flashSale(final int hot, final long hotStock, final int tailSkus, final long tailStock)
    {
        final StockPlan plan = new StockPlan(hot);
        for (int i = 0; i < hot; i++)
        {
            plan.keys.add(new Key(plan.keys.size(), "HOT-" + i, "DC-1", hotStock, true));
        }
        for (int i = 0; i < tailSkus; i++)
        {
            for (int l = 1; l <= 2; l++)
            {
                plan.keys.add(new Key(plan.keys.size(), "TAIL-" + i, "DC-" + l, tailStock, false));
            }
        }
        return plan;
    }

    public List<Key> keys()
    {
        return keys;
    }

    public Key key(final int index)
    {
        return keys.get(index);
    }

    public int size()
    {
        return keys.size();
    }

    public int hotCount()
    {
        return hotCount;
    }

    public long totalStock()
    {
        long total = 0;
        for (final Key k : keys)
        {
            total += k.stock();
        }
        return total;
    }
}
