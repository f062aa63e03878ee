package io.stockgrid.grid;

import com.hazelcast.cluster.Address;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.cluster.impl.MemberImpl;
import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.impl.DefaultNodeContext;
import com.hazelcast.partition.Partition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A member of another wire format (another build) is refused at the join, before it holds anything; a member of the
 * same format joins and takes partitions.
 */
class WireFormatTest
{
    private final List<HazelcastInstance> members = new ArrayList<>();

    @AfterEach
    void stop()
    {
        members.forEach(m -> m.getLifecycleService().terminate());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aMemberOfAnotherWireFormatIsRefusedAtTheJoin() throws Exception
    {
        final int[] ports = FreePorts.loopback(3);
        final String cluster = "wire-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        final GridConfig.Membership membership = new GridConfig.Membership(List.of("127.0.0.1:" + ports[0],
            "127.0.0.1:" + ports[1], "127.0.0.1:" + ports[2]), "", "", 1);

        final HazelcastInstance a = start(cluster, ports[0], membership, WireFormat.VERSION);
        a.getMap(HazelcastInventoryService.STOCK_MAP).put(new StockKey("W", "L"), new StockRecord());

        final AtomicInteger added = new AtomicInteger();
        a.getCluster().addMembershipListener(new MembershipListener()
        {
            @Override
            public void memberAdded(final MembershipEvent event)
            {
                added.incrementAndGet();
            }

            @Override
            public void memberRemoved(final MembershipEvent event)
            {
            }
        });
        assertThatThrownBy(() -> start(cluster, ports[1], membership, WireFormat.VERSION + 1))
            .as("the other build does not start");
        assertThat(added).as("refused at the join: never a member, not even for a moment").hasValue(0);
        assertThat(a.getCluster().getMembers()).as("a is alone").hasSize(1);
        for (final Partition partition : a.getPartitionService().getPartitions())
        {
            assertThat(partition.getOwner()).isEqualTo(a.getCluster().getLocalMember());
        }

        final HazelcastInstance c = start(cluster, ports[2], membership, WireFormat.VERSION);
        assertThat(a.getCluster().getMembers()).as("the same build joins").hasSize(2);
        final long deadline = System.currentTimeMillis() + 30_000;
        while (!ownsAPartition(a, c.getCluster().getLocalMember()))
        {
            assertThat(System.currentTimeMillis()).as("c takes partitions").isLessThan(deadline);
            Thread.sleep(100);
        }
        assertThat(c.getMap(HazelcastInventoryService.STOCK_MAP).get(new StockKey("W", "L"))).isNotNull();
    }

    @Test
    void aMemberWithoutTheAttributeIsAnOlderBuildAndDoesNotMatch() throws Exception
    {
        final Member same = new MemberImpl.Builder(new Address("127.0.0.1", 5701)).uuid(UUID.randomUUID())
            .attributes(Map.of(WireFormat.ATTRIBUTE, "3")).build();
        final Member older = new MemberImpl.Builder(new Address("127.0.0.1", 5702)).uuid(UUID.randomUUID())
            .attributes(Map.of()).build();
        final Member newer = new MemberImpl.Builder(new Address("127.0.0.1", 5703)).uuid(UUID.randomUUID())
            .attributes(Map.of(WireFormat.ATTRIBUTE, "4")).build();
        assertThat(WireFormat.mismatches(List.of(same), "3")).isEmpty();
        assertThat(WireFormat.mismatches(List.of(same, older, newer), "3")).hasSize(2)
            .anySatisfy(m -> assertThat(m).contains("5702").contains("older than the check"))
            .anySatisfy(m -> assertThat(m).contains("5703").endsWith("wire format 4"));
    }

    private static boolean ownsAPartition(final HazelcastInstance viewer, final Member member)
    {
        for (final Partition partition : viewer.getPartitionService().getPartitions())
        {
            if (member.equals(partition.getOwner()))
            {
                return true;
            }
        }
        return false;
    }

    private HazelcastInstance start(final String cluster, final int port, final GridConfig.Membership membership,
        final int wireFormat)
    {
        final Config config = GridConfig.memberConfig(cluster, "127.0.0.1", port, membership);
        final HazelcastInstance member = WireFormat.newMember(config, wireFormat, new DefaultNodeContext());
        members.add(member);
        return member;
    }
}
