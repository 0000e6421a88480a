package io.beamline.process.node;

import java.util.List;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.Routes;
import io.beamline.api.wire.SupervisedProcess;
import io.beamline.api.wire.SupervisionRecord;
import io.beamline.process.runtime.ProcessRuntime;

import org.springframework.messaging.handler.annotation.MessageMapping;
import org.springframework.messaging.handler.annotation.Payload;
import org.springframework.stereotype.Controller;

/**
 * The routes supervisor-service uses to keep its tree state on the nodes and to rebuild it from
 * them after a restart ({@code node.supervision.*}, {@code node.supervised.list}). They answer
 * whatever the lease: a node whose lease ran out has stopped its supervised processes and lists
 * none. Handlers run on Netty threads; listing scans the node's processes once.
 */
@Controller
public class SupervisionReplicaEndpoints {

    private final SupervisionReplica replica = new SupervisionReplica();
    private final ProcessRuntime runtime;

    public SupervisionReplicaEndpoints(ProcessRuntime runtime) {
        this.runtime = runtime;
    }

    @MessageMapping(Routes.NODE_SUPERVISION_PUT)
    public void put(@Payload(required = false) List<SupervisionRecord> records) {
        if (records == null) {
            throw new BeamlineException(ErrorCode.INVALID_REQUEST, "a list of supervision records is required");
        }
        replica.put(records);
    }

    @MessageMapping(Routes.NODE_SUPERVISION_LIST)
    public List<SupervisionRecord> list() {
        return replica.all();
    }

    @MessageMapping(Routes.NODE_SUPERVISED_LIST)
    public List<SupervisedProcess> supervised() {
        return runtime.supervisedProcesses();
    }
}
