package io.beamline.api;

/**
 * The exit reasons the platform itself uses, with Erlang's meaning. Any other string is an
 * abnormal exit; a crash's reason is the exception's class name and message.
 */
public final class ExitReasons {

    /** The process finished its work. Not an error: links do not propagate it. */
    public static final String NORMAL = "normal";
    /** The process was stopped on purpose (stop, supervisor shutdown). Not an error. */
    public static final String SHUTDOWN = "shutdown";
    /** The untrappable exit signal. The process exits with {@link #KILLED}. */
    public static final String KILL = "kill";
    /** The reason of a process that received {@link #KILL}. */
    public static final String KILLED = "killed";
    /** A handler ran past the process's time limit. */
    public static final String TIMEOUT = "timeout";
    /** The node that hosted the process (or the other end of a link) was lost. */
    public static final String NOCONNECTION = "noconnection";
    /** The target of a link or a monitor did not exist. */
    public static final String NOPROC = "noproc";

    private ExitReasons() {
    }

    /** OTP's rule for {@code transient} children: restart unless the exit was normal or a shutdown. */
    public static boolean isNormal(String reason) {
        return NORMAL.equals(reason) || SHUTDOWN.equals(reason) || (reason != null && reason.startsWith(SHUTDOWN + ":"));
    }

    /** The reason a crash reports: {@code ExceptionClass: message}. */
    public static String ofCrash(Throwable crash) {
        String message = crash.getMessage();
        return crash.getClass().getName() + (message == null ? "" : ": " + message);
    }
}
