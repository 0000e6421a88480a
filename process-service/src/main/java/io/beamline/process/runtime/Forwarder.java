package io.beamline.process.runtime;

import java.util.concurrent.CompletableFuture;

/**
 * Carries the mail of a process that moved to the node that adopted it. Called on the moved
 * cell's turn, one message after another in mailbox order: it must not block and must keep
 * that order for the process. {@code reply} is null for a cast; for a call the forwarder
 * completes it with the reply or with the failure the adopting node answered.
 */
@FunctionalInterface
public interface Forwarder {

    void forward(String id, Object payload, CompletableFuture<Object> reply);
}
