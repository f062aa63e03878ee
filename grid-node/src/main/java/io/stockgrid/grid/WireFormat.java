package io.stockgrid.grid;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.AddressPicker;
import com.hazelcast.instance.impl.DefaultNodeContext;
import com.hazelcast.instance.impl.DefaultNodeExtension;
import com.hazelcast.instance.impl.HazelcastInstanceFactory;
import com.hazelcast.instance.impl.Node;
import com.hazelcast.instance.impl.NodeContext;
import com.hazelcast.instance.impl.NodeExtension;
import com.hazelcast.internal.cluster.Joiner;
import com.hazelcast.internal.cluster.impl.JoinMessage;
import com.hazelcast.internal.cluster.impl.JoinRequest;
import com.hazelcast.internal.server.Server;
import com.hazelcast.internal.server.tcp.LocalAddressRegistry;
import com.hazelcast.internal.server.tcp.ServerSocketRegistry;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The version of everything members exchange: the records, entry processors and operations of
 * {@link GridSerializers}, and their fields. Members of different wire formats cannot share a cluster (a record or
 * processor one of them cannot read fails a migration, a backup or a call half-way), and Hazelcast's own join check
 * compares only the cluster name and partitioning. So every member announces its format in a member attribute, and
 * the master refuses a join request of another format: Hazelcast then shuts the joining member down with the reason,
 * before it is a member and before any partition or call reaches it. A member also checks the members it finds on
 * joining ({@link #verifyMembers}), which covers a master of a build older than this check.
 * <p>
 * Bump {@link #VERSION} whenever a class in {@link GridSerializers} changes what it writes, or one is added that
 * members send each other.
 */
public final class WireFormat
{
    /**
     * 3: attempts on records and holds (session 5), the synchronous-backup batch operation (session 6). 4: the
     * Stockgrid partition service's operations (session 7). 5: a reservation's {@code createdBy} (the API key id of
     * the call that made it) at the end of its serialised state. 6: chunked migration (a replication operation says
     * whether it is a partition's first chunk) and the service's own replica namespace (session 10).
     */
    public static final int VERSION = 6;

    /** Member attribute carrying the member's wire format. */
    public static final String ATTRIBUTE = "stockgrid.wire-format";

    private WireFormat()
    {
    }

    /** Starts a member that announces this build's wire format and, as master, refuses joiners of another. */
    public static HazelcastInstance newMember(final Config config)
    {
        return newMember(config, VERSION, new DefaultNodeContext());
    }

    /** Starts a member announcing {@code version}, over {@code context} (tests: a firewalling one). */
    public static HazelcastInstance newMember(final Config config, final int version, final NodeContext context)
    {
        config.getMemberAttributeConfig().setAttribute(ATTRIBUTE, Integer.toString(version));
        final HazelcastInstance member = HazelcastInstanceFactory.newHazelcastInstance(config,
            config.getInstanceName(), new CheckingContext(context));
        try
        {
            verifyMembers(member);
        }
        catch (final RuntimeException ex)
        {
            member.getLifecycleService().terminate();
            throw ex;
        }
        return member;
    }

    /**
     * Checks the members this one found on joining.
     *
     * @throws IllegalStateException naming the members of another wire format.
     */
    public static void verifyMembers(final HazelcastInstance member)
    {
        final String own = member.getCluster().getLocalMember().getAttribute(ATTRIBUTE);
        final List<String> others = mismatches(member.getCluster().getMembers(), own);
        if (!others.isEmpty())
        {
            throw new IllegalStateException(refusal(own, others));
        }
    }

    /** Members (other than the local one) whose wire format is not {@code own}, described for a message. */
    static List<String> mismatches(final Collection<Member> members, final String own)
    {
        final List<String> found = new ArrayList<>();
        for (final Member member : members)
        {
            final String theirs = member.getAttribute(ATTRIBUTE);
            if (!member.localMember() && !sameFormat(own, theirs))
            {
                found.add(member.getAddress() + " (" + GridConfig.nodeIdOf(member) + ") has wire format "
                    + describe(theirs));
            }
        }
        return found;
    }

    /** Whether a member announcing {@code theirs} (null: nothing, an older build) may share a cluster with us. */
    private static boolean sameFormat(final String own, final String theirs)
    {
        return theirs != null && theirs.equals(own);
    }

    private static String describe(final String format)
    {
        return format == null ? "none (a build older than the check)" : format;
    }

    private static String refusal(final String own, final List<String> others)
    {
        return "members of different builds cannot share a cluster: this member's wire format is " + describe(own)
            + ", and " + String.join(", ", others) + ". Upgrade with a full stop and start (docs/cluster.md, "
            + "\"Upgrading\")";
    }

    /** A node context whose node extension refuses, as master, join requests of another wire format. */
    private static final class CheckingContext implements NodeContext
    {
        private final NodeContext delegate;

        CheckingContext(final NodeContext delegate)
        {
            this.delegate = delegate;
        }

        @Override
        public NodeExtension createNodeExtension(final Node node)
        {
            return new CheckingExtension(node);
        }

        @Override
        public AddressPicker createAddressPicker(final Node node)
        {
            return delegate.createAddressPicker(node);
        }

        @Override
        public Joiner createJoiner(final Node node)
        {
            return delegate.createJoiner(node);
        }

        @Override
        public Server createServer(final Node node, final ServerSocketRegistry registry,
            final LocalAddressRegistry addressRegistry)
        {
            return delegate.createServer(node, registry, addressRegistry);
        }
    }

    private static final class CheckingExtension extends DefaultNodeExtension
    {
        CheckingExtension(final Node node)
        {
            super(node);
        }

        @Override
        public void validateJoinRequest(final JoinMessage joinMessage)
        {
            super.validateJoinRequest(joinMessage);
            if (joinMessage instanceof JoinRequest request)
            {
                final String own = node.getLocalMember().getAttribute(ATTRIBUTE);
                final String theirs = request.getAttributes() == null ? null : request.getAttributes().get(ATTRIBUTE);
                if (!sameFormat(own, theirs))
                {
                    throw new IllegalStateException(refusal(own, List.of(request.getAddress()
                        + " asks to join with wire format " + describe(theirs))));
                }
            }
        }
    }
}
