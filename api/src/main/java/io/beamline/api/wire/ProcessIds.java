package io.beamline.api.wire;

import java.security.SecureRandom;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The shape of node and process ids (DESIGN.md §3).
 *
 * <p>A node id is {@code <prefix>-<short>}: {@code short} is 6 random base-36 characters drawn
 * at each start, so node ids are never reused. A process id is {@code <short>.<sequence>}
 * (sequence in base 36): it names its birth node, so a fresh process is routed without a
 * registry lookup. Both match {@code [A-Za-z0-9._-]{1,64}}.
 */
public final class ProcessIds {

    public static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:/-]{1,200}");
    private static final String BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz";
    private static final SecureRandom RANDOM = new SecureRandom();

    private ProcessIds() {
    }

    /** A fresh node id with the given prefix (sanitised to the id alphabet, at most 40 chars). */
    public static String newNodeId(String prefix) {
        String clean = prefix == null ? "node" : prefix.replaceAll("[^A-Za-z0-9.-]", "-").toLowerCase(Locale.ROOT);
        if (clean.isBlank()) {
            clean = "node";
        }
        if (clean.length() > 40) {
            clean = clean.substring(0, 40);
        }
        StringBuilder shortId = new StringBuilder(6);
        for (int i = 0; i < 6; i++) {
            shortId.append(BASE36.charAt(RANDOM.nextInt(BASE36.length())));
        }
        return clean + "-" + shortId;
    }

    /** The short id of a node id: what follows its last {@code -}. */
    public static String shortNodeId(String nodeId) {
        return nodeId.substring(nodeId.lastIndexOf('-') + 1);
    }

    /** The process id with the given sequence number, born on the node with {@code shortNodeId}. */
    public static String processId(String shortNodeId, long sequence) {
        return shortNodeId + "." + Long.toString(sequence, 36);
    }

    /** The short id of the node a process was born on, or null when {@code processId} has no such part. */
    public static String birthNode(String processId) {
        int dot = processId.indexOf('.');
        return dot <= 0 ? null : processId.substring(0, dot);
    }

    public static boolean isValidId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }
}
