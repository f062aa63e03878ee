package io.stockgrid.grid;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import io.stockgrid.ingest.Journal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Many calls' processors applied in one grid operation per partition: {@code executeOnKeys(batch.keySet(), batch)}
 * runs, for each key, that key's processors in order, on the key's partition thread, and answers their results in
 * the same order. This is how requests that arrive together share the cost of reaching the grid: one invocation per
 * partition instead of one per request, and on a hot key one operation for a whole burst of holds.
 */
public final class BatchProcessor<K, V, R> extends JournaledProcessor<K, V, ArrayList<R>>
{
    private Map<K, List<JournaledProcessor<K, V, R>>> byKey;

    public BatchProcessor()
    {
    }

    BatchProcessor(final Map<K, List<JournaledProcessor<K, V, R>>> byKey)
    {
        this.byKey = byKey;
    }

    @Override
    ArrayList<R> apply(final Map.Entry<K, V> entry, final Journal journal)
    {
        final List<JournaledProcessor<K, V, R>> processors = byKey.get(entry.getKey());
        final ArrayList<R> results = new ArrayList<>(processors == null ? 0 : processors.size());
        if (processors != null)
        {
            for (final JournaledProcessor<K, V, R> processor : processors)
            {
                results.add(processor.apply(entry, journal));
            }
        }
        return results;
    }

    @Override
    public int getClassId()
    {
        return GridSerializers.BATCH;
    }

    @Override
    public void writeData(final ObjectDataOutput out) throws IOException
    {
        out.writeInt(byKey.size());
        for (final Map.Entry<K, List<JournaledProcessor<K, V, R>>> e : byKey.entrySet())
        {
            out.writeObject(e.getKey());
            out.writeInt(e.getValue().size());
            for (final JournaledProcessor<K, V, R> processor : e.getValue())
            {
                out.writeObject(processor);
            }
        }
    }

    @Override
    public void readData(final ObjectDataInput in) throws IOException
    {
        final int keys = in.readInt();
        byKey = new HashMap<>(keys * 2);
        for (int i = 0; i < keys; i++)
        {
            final K key = in.readObject();
            final int count = in.readInt();
            final List<JournaledProcessor<K, V, R>> processors = new ArrayList<>(count);
            for (int j = 0; j < count; j++)
            {
                processors.add(in.readObject());
            }
            byKey.put(key, processors);
        }
    }
}
