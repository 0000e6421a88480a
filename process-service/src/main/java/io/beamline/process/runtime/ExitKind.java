package io.beamline.process.runtime;

/** How a process came to exit, which decides who must be told. */
public enum ExitKind {
    /**
     * It ended by itself (returned from {@code exit}, crashed) or by an exit signal. Its
     * supervisor, if any, must be told; a supervised process leaves a tombstone meanwhile.
     */
    EXITED,
    /** It was stopped for good through {@link ProcessRuntime#stop}; whoever stopped it cleans up. */
    STOPPED,
    /** A newer incarnation of the same id took its place on this node; nobody needs to be told. */
    REPLACED
}
