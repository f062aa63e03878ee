package io.stockgrid.ingest.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The keys file: {@code {"keys":[{"id":"erp-eu","secretSha256":"<64 hex>","scopes":["stock:write","read"],
 * "ratePerSecond":500,"burst":1000}]}}. Everything is checked, and a file with any fault is refused whole, with a
 * message naming the entry and the field: a half-read file would silently drop a client's access or widen one.
 */
public final class KeyFile
{
    /** Keys per file: bounds the keyring, the buckets and the per-key metric series. */
    public static final int KEYS_MAX = 1_000;
    /** Largest keys file read (a thousand entries take about 250 KB). */
    public static final long FILE_BYTES_MAX = 1_048_576;
    public static final long RATE_PER_SECOND_MAX = 1_000_000;
    public static final long BURST_MAX = 10_000_000;
    /** Defaults of {@code keys new} when --rate/--burst are not given. */
    public static final long RATE_PER_SECOND_DEFAULT = 1_000;
    public static final long BURST_DEFAULT = 2_000;
    /** Key ids are logged, journaled and exported as a metric label: keep them plain. */
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern HEX64 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Set<String> FIELDS = Set.of("id", "secretSha256", "scopes", "ratePerSecond", "burst");
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int SECRET_BYTES = 32;

    private KeyFile()
    {
    }

    /** A keys file that cannot be used; the message names the file, the entry and the field. */
    public static final class Invalid extends Exception
    {
        private static final long serialVersionUID = 1L;

        public Invalid(final String message)
        {
            super(message);
        }
    }

    /** Reads and checks the file; throws {@link Invalid} on any fault, naming it. */
    public static List<ApiKey> read(final Path file) throws Invalid
    {
        final byte[] bytes;
        try
        {
            final long size = Files.size(file);
            if (size > FILE_BYTES_MAX)
            {
                throw new Invalid("keys file " + file + " is " + size + " bytes; at most " + FILE_BYTES_MAX);
            }
            bytes = Files.readAllBytes(file);
        }
        catch (final IOException ex)
        {
            throw new Invalid("keys file " + file + " cannot be read: " + ex);
        }
        return parse(bytes, file.toString());
    }

    /** Parses and checks a keys document; {@code source} names it in messages. */
    public static List<ApiKey> parse(final byte[] json, final String source) throws Invalid
    {
        final JsonNode root;
        try
        {
            root = MAPPER.readTree(json);
        }
        catch (final IOException ex)
        {
            final String why = ex instanceof JsonProcessingException p ? p.getOriginalMessage() : ex.toString();
            throw new Invalid("keys file " + source + " is not valid JSON: " + why);
        }
        if (root == null || !root.isObject() || !root.path("keys").isArray() || root.size() != 1)
        {
            throw new Invalid("keys file " + source + " must be an object with one field, \"keys\", an array");
        }
        final ArrayNode entries = (ArrayNode)root.get("keys");
        if (entries.size() > KEYS_MAX)
        {
            throw new Invalid("keys file " + source + " has " + entries.size() + " keys; at most " + KEYS_MAX);
        }
        final List<ApiKey> keys = new ArrayList<>(entries.size());
        final Set<String> ids = new HashSet<>();
        final Set<String> hashes = new HashSet<>();
        for (int i = 0; i < entries.size(); i++)
        {
            final ApiKey key = entry(entries.get(i), source + " keys[" + i + "]");
            if (!ids.add(key.id()))
            {
                throw new Invalid("keys file " + source + " keys[" + i + "]: duplicate id '" + key.id() + "'");
            }
            if (!hashes.add(HexFormat.of().formatHex(key.secretSha256())))
            {
                throw new Invalid("keys file " + source + " keys[" + i + "] (" + key.id()
                    + "): the same secretSha256 as an earlier key; each key needs its own secret");
            }
            keys.add(key);
        }
        return List.copyOf(keys);
    }

    private static ApiKey entry(final JsonNode node, final String where) throws Invalid
    {
        if (!node.isObject())
        {
            throw new Invalid("keys file " + where + " must be an object");
        }
        for (final Iterator<String> names = node.fieldNames(); names.hasNext(); )
        {
            final String name = names.next();
            if (!FIELDS.contains(name))
            {
                throw new Invalid("keys file " + where + ": unknown field '" + name + "' (fields: id, secretSha256, "
                    + "scopes, ratePerSecond, burst)");
            }
        }
        final JsonNode id = node.get("id");
        if (id == null || !id.isTextual() || !ID.matcher(id.asText()).matches())
        {
            throw new Invalid("keys file " + where + ": field 'id' must be 1..64 chars of [A-Za-z0-9._-]");
        }
        final String at = where + " (" + id.asText() + ")";
        final JsonNode hash = node.get("secretSha256");
        if (hash == null || !hash.isTextual() || !HEX64.matcher(hash.asText()).matches())
        {
            throw new Invalid("keys file " + at + ": field 'secretSha256' must be 64 hex digits (the SHA-256 of "
                + "the secret; 'keys new' prints it)");
        }
        final JsonNode scopeList = node.get("scopes");
        if (scopeList == null || !scopeList.isArray() || scopeList.isEmpty())
        {
            throw new Invalid("keys file " + at + ": field 'scopes' must be a non-empty array of " + scopeNames());
        }
        final EnumSet<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (final JsonNode s : scopeList)
        {
            final Scope scope = s.isTextual() ? Scope.ofLabel(s.asText()) : null;
            if (scope == null)
            {
                throw new Invalid("keys file " + at + ": unknown scope " + s + "; scopes are " + scopeNames());
            }
            scopes.add(scope);
        }
        final long rate = positive(node.get("ratePerSecond"), "ratePerSecond", RATE_PER_SECOND_MAX, at);
        final long burst = positive(node.get("burst"), "burst", BURST_MAX, at);
        return new ApiKey(id.asText(), HexFormat.of().parseHex(hash.asText()), scopes, rate, burst);
    }

    private static long positive(final JsonNode value, final String field, final long max, final String at)
        throws Invalid
    {
        if (value == null || !value.canConvertToLong() || !value.isIntegralNumber() || value.asLong() < 1
            || value.asLong() > max)
        {
            throw new Invalid("keys file " + at + ": field '" + field + "' must be an integer in 1.." + max);
        }
        return value.asLong();
    }

    static String scopeNames()
    {
        final List<String> names = new ArrayList<>();
        for (final Scope s : Scope.values())
        {
            names.add(s.label());
        }
        return String.join(", ", names);
    }

    /** The SHA-256 of a secret, as the keys file stores it (and as the doors compare it). */
    public static byte[] sha256(final String secret)
    {
        try
        {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.US_ASCII));
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is required of every Java platform", ex);
        }
    }

    /** A fresh secret: 32 random bytes from {@link SecureRandom}, base64url without padding (43 chars). */
    public static String newSecret(final SecureRandom random)
    {
        final byte[] bytes = new byte[SECRET_BYTES];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The JSON entry for a key (one line), as {@code keys new} prints it. */
    public static String entryJson(final String id, final String secret, final Set<Scope> scopes,
        final long ratePerSecond, final long burst)
    {
        final ObjectNode node = MAPPER.createObjectNode();
        node.put("id", id);
        node.put("secretSha256", HexFormat.of().formatHex(sha256(secret)));
        final ArrayNode list = node.putArray("scopes");
        for (final Scope s : scopes)
        {
            list.add(s.label());
        }
        node.put("ratePerSecond", ratePerSecond);
        node.put("burst", burst);
        return node.toString();
    }
}
