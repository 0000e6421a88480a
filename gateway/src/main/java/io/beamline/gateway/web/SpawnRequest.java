package io.beamline.gateway.web;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import io.beamline.api.wire.MailboxSpec;
import io.beamline.api.wire.ProcessIds;
import io.beamline.api.wire.ProcessSpec;
import io.beamline.api.wire.RestartType;

import tools.jackson.databind.JsonNode;

/**
 * The body of {@code POST /api/v1/processes} (API.md "Spawn"), validated into the
 * {@link ProcessSpec} a node receives: id null, restart {@code temporary} by default, supervisor
 * {@code root} by default for {@code permanent} and {@code transient} processes.
 */
final class SpawnRequest {

    static final String ROOT_SUPERVISOR = "root";
    private static final String RESTART_TYPES = Arrays.stream(RestartType.values())
            .map(RestartType::wireName).collect(Collectors.joining(", "));

    private SpawnRequest() {
    }

    /** The spec of a valid body; otherwise {@code 400 invalid_request} listing every bad field. */
    static ProcessSpec parse(JsonNode json) {
        JsonBody body = JsonBody.of(json);
        Optional<String> behavior = body.string("behavior", true);
        Map<String, Object> args = body.map("args").orElse(Map.of());
        Optional<String> name = body.string("name", false);
        if (name.isPresent() && !ProcessIds.isValidName(name.get())) {
            body.reject("name", "must be 1 to 200 characters of [A-Za-z0-9._:/-]");
        }
        Optional<String> restartName = body.string("restart", false);
        Optional<RestartType> restartType = restartName.flatMap(RestartType::fromWireName);
        if (restartName.isPresent() && restartType.isEmpty()) {
            body.reject("restart", "must be one of " + RESTART_TYPES);
        }
        RestartType restart = restartType.orElse(RestartType.TEMPORARY);
        Optional<String> supervisor = body.string("supervisor", false);
        MailboxSpec mailbox = body.object("mailbox")
                .map(options -> new MailboxSpec(options.integer("capacity", 1, Integer.MAX_VALUE).orElse(null)))
                .orElse(null);
        body.validate();
        String supervisorId = supervisor.orElse(restart == RestartType.TEMPORARY ? null : ROOT_SUPERVISOR);
        return new ProcessSpec(null, behavior.orElseThrow(), args, name.orElse(null), restart.wireName(),
                supervisorId, mailbox);
    }
}
