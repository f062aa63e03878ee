package io.stockgrid.node;

import io.stockgrid.ingest.auth.KeyFile;
import io.stockgrid.ingest.auth.Scope;

import java.io.PrintStream;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.Set;

/**
 * {@code java -jar stockgrid-node.jar keys new --id ID --scopes S1,S2 [--rate N] [--burst N]}: makes a fresh secret
 * (32 bytes from {@link SecureRandom}, base64url), prints it once, and prints the keys-file entry to add, which holds
 * only the secret's SHA-256. The node never sees the secret until a client presents it.
 */
final class KeysCommand
{
    private KeysCommand()
    {
    }

    /** Runs the command; returns the process exit status (0 done, 2 bad usage, with one line saying why). */
    static int run(final String[] args, final PrintStream out, final PrintStream err)
    {
        if (args.length < 2 || !"new".equals(args[1]))
        {
            err.println("stockgrid: usage: keys new --id ID --scopes SCOPE[,SCOPE...] [--rate N] [--burst N]");
            return 2;
        }
        String id = null;
        String scopes = null;
        String rate = Long.toString(KeyFile.RATE_PER_SECOND_DEFAULT);
        String burst = Long.toString(KeyFile.BURST_DEFAULT);
        for (int i = 2; i < args.length; i++)
        {
            final String flag = args[i];
            if (i + 1 >= args.length)
            {
                err.println("stockgrid: keys new: " + flag + " needs a value");
                return 2;
            }
            final String value = args[++i];
            switch (flag)
            {
                case "--id" -> id = value;
                case "--scopes" -> scopes = value;
                case "--rate" -> rate = value;
                case "--burst" -> burst = value;
                default ->
                {
                    err.println("stockgrid: keys new: unknown flag " + flag + " (flags: --id, --scopes, --rate, "
                        + "--burst)");
                    return 2;
                }
            }
        }
        if (id == null || !KeyFile.ID.matcher(id).matches())
        {
            err.println("stockgrid: keys new: --id must be 1..64 chars of [A-Za-z0-9._-], was " + id);
            return 2;
        }
        final Set<Scope> scopeSet = EnumSet.noneOf(Scope.class);
        for (final String s : scopes == null ? new String[0] : scopes.split(","))
        {
            final Scope scope = Scope.ofLabel(s.trim());
            if (scope == null)
            {
                err.println("stockgrid: keys new: unknown scope '" + s.trim() + "'; scopes are stock:write, "
                    + "reservations:write, read, admin");
                return 2;
            }
            scopeSet.add(scope);
        }
        if (scopeSet.isEmpty())
        {
            err.println("stockgrid: keys new: --scopes must name at least one of stock:write, reservations:write, "
                + "read, admin");
            return 2;
        }
        final long ratePerSecond = number(rate, "--rate", KeyFile.RATE_PER_SECOND_MAX, err);
        final long burstSize = number(burst, "--burst", KeyFile.BURST_MAX, err);
        if (ratePerSecond < 0 || burstSize < 0)
        {
            return 2;
        }
        final String secret = KeyFile.newSecret(new SecureRandom());
        out.println("secret (shown once; give it to the client, store it as a secret): " + secret);
        out.println("add this entry to the \"keys\" array of the --auth-keys file:");
        out.println(KeyFile.entryJson(id, secret, scopeSet, ratePerSecond, burstSize));
        return 0;
    }

    private static long number(final String value, final String flag, final long max, final PrintStream err)
    {
        try
        {
            final long n = Long.parseLong(value);
            if (n >= 1 && n <= max)
            {
                return n;
            }
        }
        catch (final NumberFormatException ex)
        {
            // refused below
        }
        err.println("stockgrid: keys new: " + flag + " must be an integer in 1.." + max + ", was " + value);
        return -1;
    }
}
