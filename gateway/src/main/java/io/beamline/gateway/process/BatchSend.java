package io.beamline.gateway.process;

import io.beamline.api.wire.BeamlineException;
import io.beamline.api.wire.ErrorCode;
import io.beamline.api.wire.ProcessIds;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Batch send ({@code POST /api/v1/messages}): many casts in one request, each to a process id or
 * to {@code name:NAME}. Messages to one target are sent one after another in line order (each
 * after the previous one was accepted), so they are handled in that order, as if one client had
 * sent them one by one; different targets go in parallel, at most {@code concurrency} at once.
 * Each line succeeds or is rejected on its own (its line number and error code); a rejected line
 * never stops the others.
 */
public final class BatchSend {

    /** One parsed line: its number (1-based), its target ({@code name:…} or an id) and its payload. */
    public record Line(int number, String to, Object payload) {
    }

    /** A line that was not accepted: its number and the error code. */
    public record Rejection(int line, String code) {
    }

    /** The answer: how many were accepted, and the rejected lines in line order. */
    public record Outcome(int accepted, List<Rejection> rejected) {
    }

    static final String NAME_PREFIX = "name:";

    private final Processes processes;
    private final Names names;
    private final int concurrency;

    public BatchSend(Processes processes, Names names, int concurrency) {
        this.processes = processes;
        this.names = names;
        this.concurrency = concurrency;
    }

    /** Sends {@code lines}; lines rejected before sending (unreadable) come in {@code rejectedEarly}. */
    public Mono<Outcome> send(List<Line> lines, List<Rejection> rejectedEarly) {
        Map<String, List<Line>> byTarget = new LinkedHashMap<>();
        for (Line line : lines) {
            byTarget.computeIfAbsent(line.to(), target -> new ArrayList<>()).add(line);
        }
        return Flux.fromIterable(byTarget.values())
                .flatMap(group -> Flux.fromIterable(group).concatMap(this::sendOne), concurrency)
                .collectList()
                .map(results -> {
                    List<Rejection> rejected = new ArrayList<>(rejectedEarly);
                    int accepted = 0;
                    for (Rejection result : results) {
                        if (result == null || result.code() == null) {
                            accepted++;
                        } else {
                            rejected.add(result);
                        }
                    }
                    rejected.sort(Comparator.comparingInt(Rejection::line));
                    return new Outcome(accepted, List.copyOf(rejected));
                });
    }

    /** Accepted: a rejection with no code; otherwise the code of the failure. */
    private Mono<Rejection> sendOne(Line line) {
        Mono<?> sent;
        if (line.to().startsWith(NAME_PREFIX)) {
            String name = line.to().substring(NAME_PREFIX.length());
            if (!ProcessIds.isValidName(name)) {
                return Mono.just(new Rejection(line.number(), ErrorCode.INVALID_REQUEST.wireName()));
            }
            sent = names.send(name, line.payload());
        } else {
            sent = processes.send(line.to(), line.payload());
        }
        return sent.then(Mono.just(new Rejection(line.number(), null)))
                .onErrorResume(error -> Mono.just(new Rejection(line.number(), codeOf(error))));
    }

    /** The public code of a failure (a node's internal {@code moved} is, to a client, not found). */
    private static String codeOf(Throwable error) {
        return BeamlineException.from(error)
                .map(failure -> failure.code() == ErrorCode.MOVED ? ErrorCode.PROCESS_NOT_FOUND : failure.code())
                .map(ErrorCode::wireName)
                .orElse(ErrorCode.SERVICE_UNAVAILABLE.wireName());
    }
}
