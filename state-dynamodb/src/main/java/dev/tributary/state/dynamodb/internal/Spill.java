package dev.tributary.state.dynamodb.internal;

import java.util.List;
import java.util.Map;

/**
 * A map or list cell stored outside its key's main item, as read or last written: a map as one item
 * per entry, a list as chunks of whole elements. Every spill has a generation; its items carry it
 * in their sort keys, so clearing a spilled cell is one write of the main item (the old
 * generation's items become garbage, deleted after the commit and never read again).
 *
 * @param map whether it is a map (else a list)
 * @param generation its generation
 * @param entries map entries: entry key in base64 to value bytes (maps only)
 * @param chunks list chunks in order (lists only)
 */
public record Spill(
    boolean map, long generation, Map<String, byte[]> entries, List<byte[]> chunks) {}
