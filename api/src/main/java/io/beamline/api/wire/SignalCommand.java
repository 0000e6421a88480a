package io.beamline.api.wire;

/**
 * A process signal between nodes, travelling in order with the messages of the same pair:
 * {@code kind} is {@link #LINK}, {@link #UNLINK}, {@link #MONITOR}, {@link #DEMONITOR} (from
 * tells to what it now is to it), {@link #EXIT} (an exit signal from {@code from} with
 * {@code reason}) or {@link #DOWN} (the watched {@code from} exited with {@code reason}; the
 * monitor is {@code ref}).
 */
public record SignalCommand(String kind, String from, String to, String reason, String ref) {

    public static final String LINK = "link";
    public static final String UNLINK = "unlink";
    public static final String MONITOR = "monitor";
    public static final String DEMONITOR = "demonitor";
    public static final String EXIT = "exit";
    public static final String DOWN = "down";

    /** Every kind there is. */
    public static final java.util.Set<String> KINDS = java.util.Set.of(LINK, UNLINK, MONITOR, DEMONITOR, EXIT, DOWN);
}
