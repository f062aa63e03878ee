package io.stockgrid.ingest.auth;

import java.util.Arrays;
import java.util.Set;

/**
 * One client's identity as the keys file gives it: an id (journaled and logged as the caller), the SHA-256 of its
 * secret (the secret itself is never stored), its scopes, and its rate budget.
 *
 * @param ratePerSecond tokens added to the key's bucket per second, across both doors of this node.
 * @param burst         the bucket's size: calls the key may make at once after a quiet spell.
 */
public record ApiKey(String id, byte[] secretSha256, Set<Scope> scopes, long ratePerSecond, long burst)
{
    public ApiKey
    {
        secretSha256 = secretSha256.clone();
        scopes = Set.copyOf(scopes);
    }

    @Override
    public byte[] secretSha256()
    {
        return secretSha256.clone();
    }

    boolean sameHash(final byte[] other)
    {
        return java.security.MessageDigest.isEqual(secretSha256, other);
    }

    /** True if the rate budget matches, so that a reload can keep the key's bucket (and what it has spent). */
    boolean sameLimits(final ApiKey other)
    {
        return ratePerSecond == other.ratePerSecond && burst == other.burst;
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof ApiKey k && id.equals(k.id) && Arrays.equals(secretSha256, k.secretSha256)
            && scopes.equals(k.scopes) && ratePerSecond == k.ratePerSecond && burst == k.burst;
    }

    @Override
    public int hashCode()
    {
        return id.hashCode();
    }

    /** Never shows the hash: it is not secret, but there is no reason to spread it. */
    @Override
    public String toString()
    {
        return "ApiKey{" + id + " " + scopes + " " + ratePerSecond + "/s burst " + burst + "}";
    }
}
