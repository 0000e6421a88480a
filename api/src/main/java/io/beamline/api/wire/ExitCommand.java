package io.beamline.api.wire;

/** An exit signal to process {@code to}, as Erlang's {@code exit(Pid, Reason)}. */
public record ExitCommand(String to, String reason) {
}
