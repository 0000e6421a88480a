package io.beamline.process.node;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.ProcessRef;
import io.beamline.api.wire.Routes;
import io.beamline.process.runtime.ProcessRuntime;
import org.springframework.messaging.handler.annotation.MessageMapping;
import org.springframework.stereotype.Controller;
import reactor.core.publisher.Mono;


/**
 * The routes only a supervisor uses. {@code process.terminate} stops a process the way OTP's
 * supervisor terminates a child: with {@code shutdown}, and unlike {@code process.stop} without
 * telling the supervisor (it asked) and without freeing the name or the location (a child
 * stopped for a restart keeps them; the supervisor frees them itself when it lets the child go).
 * A stopped process is no exit to report, so the supervisor never mistakes it for a crash.
 * Never blocks: it answers when the runtime's stop completes.
 */
@Controller
public class SupervisorCommands {


    private final ProcessRuntime runtime;

    public SupervisorCommands(ProcessRuntime runtime) {
        this.runtime = runtime;
    }

    /** Fails with {@code process_not_found} when this node has neither the process nor its tombstone. */
    @MessageMapping(Routes.PROCESS_TERMINATE)
    public Mono<Void> terminate(ProcessRef ref) {
        return Mono.defer(() -> {
            if (ref == null || ref.id() == null) {
                return Mono.error(new BeamlineException(ErrorCode.INVALID_REQUEST, "a process id is required"));
            }
            return Mono.fromFuture(() -> runtime.stop(ref.id())).then();
        });
    }
}
