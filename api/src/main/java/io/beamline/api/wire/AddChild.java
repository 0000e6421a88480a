package io.beamline.api.wire;

/** Adds {@code child} at the end of supervisor {@code supervisor}'s children (route {@link Routes#SUPERVISOR_ADD_CHILD}). */
public record AddChild(String supervisor, ChildSpec child) {
}
