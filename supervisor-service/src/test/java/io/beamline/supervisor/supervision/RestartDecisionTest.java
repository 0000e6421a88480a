package io.beamline.supervisor.supervision;

import io.beamline.api.ExitReasons;
import io.beamline.api.wire.ChildExited;
import io.beamline.api.wire.ProcessSpec;
import io.beamline.supervisor.supervision.RestartDecision.AlreadyRestarting;
import io.beamline.supervisor.supervision.RestartDecision.Cause;
import io.beamline.supervisor.supervision.RestartDecision.Release;
import io.beamline.supervisor.supervision.RestartDecision.Restart;
import io.beamline.supervisor.supervision.RestartDecision.Stale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class RestartDecisionTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:10Z");
    private static final String CRASH = "java.lang.IllegalStateException: boom";
    private static final SupervisorState ROOT = SupervisorState.root(new RestartIntensity(3, Duration.ofSeconds(5)));

    private static ProcessSpec spec(String restart) {
        return new ProcessSpec("abc123.1", "counter", null, "orders/counter", restart, "root", null);
    }

    private static Child running(ProcessSpec spec, int incarnation) {
        return new Child(spec, "process-service-abc123", incarnation, incarnation - 1, Child.Status.RUNNING);
    }

    private static RestartDecision decide(Optional<Child> recorded, ProcessSpec spec, int incarnation, String reason,
                                          SupervisorState supervisor) {
        ChildExited report = new ChildExited(spec, "process-service-abc123", incarnation, reason);
        return RestartDecision.of(recorded, report, spec, supervisor, NOW);
    }

    @ParameterizedTest
    @ValueSource(strings = {CRASH, ExitReasons.NORMAL, ExitReasons.SHUTDOWN, ExitReasons.KILLED, ExitReasons.TIMEOUT})
    void restartsPermanentChildAfterAnyExit(String reason) {
        ProcessSpec spec = spec("permanent");

        RestartDecision decision = decide(Optional.of(running(spec, 1)), spec, 1, reason, ROOT);

        assertThat(decision).isInstanceOf(Restart.class);
        assertThat(decision.restart()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {CRASH, ExitReasons.KILLED, ExitReasons.TIMEOUT, ExitReasons.NOCONNECTION})
    void restartsTransientChildAfterAbnormalExit(String reason) {
        ProcessSpec spec = spec("transient");

        assertThat(decide(Optional.of(running(spec, 1)), spec, 1, reason, ROOT)).isInstanceOf(Restart.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {ExitReasons.NORMAL, ExitReasons.SHUTDOWN, "shutdown:drain"})
    void releasesTransientChildAfterNormalExitOrShutdown(String reason) {
        ProcessSpec spec = spec("transient");

        RestartDecision decision = decide(Optional.of(running(spec, 1)), spec, 1, reason, ROOT);

        assertThat(decision).isInstanceOfSatisfying(Release.class,
                release -> assertThat(release.cause()).isEqualTo(Cause.RESTART_TYPE));
        assertThat(decision.restart()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {CRASH, ExitReasons.NORMAL, ExitReasons.KILLED})
    void neverRestartsTemporaryChild(String reason) {
        ProcessSpec spec = spec("temporary");

        assertThat(decide(Optional.empty(), spec, 1, reason, ROOT)).isInstanceOf(Release.class);
    }

    @Test
    void restartStartsTheNextIncarnationOnTheReportingNodeAndCountsTheRestart() {
        ProcessSpec spec = spec("permanent");

        RestartDecision decision = decide(Optional.of(running(spec, 2)), spec, 2, CRASH, ROOT);

        assertThat(decision).isInstanceOfSatisfying(Restart.class, restart -> {
            assertThat(restart.start().incarnation()).isEqualTo(3);
            assertThat(restart.start().restarts()).isEqualTo(2);
            assertThat(restart.start().node()).isEqualTo("process-service-abc123");
            assertThat(restart.start().status()).isEqualTo(Child.Status.RESTARTING);
            assertThat(restart.supervisor().restarts()).containsExactly(NOW);
        });
    }

    @Test
    void ignoresAReportAboutAnOlderIncarnation() {
        ProcessSpec spec = spec("permanent");
        Child recorded = running(spec, 3);

        RestartDecision decision = decide(Optional.of(recorded), spec, 2, CRASH, ROOT);

        assertThat(decision).isEqualTo(new Stale(recorded));
        assertThat(decision.restart()).isFalse();
    }

    @Test
    void answersARepeatedReportOfTheIncarnationBeingRestartedWithoutASecondRestart() {
        ProcessSpec spec = spec("permanent");
        Child restarting = running(spec, 1).nextStart("process-service-abc123");

        RestartDecision decision = decide(Optional.of(restarting), spec, 1, CRASH, ROOT);

        assertThat(decision).isEqualTo(new AlreadyRestarting(restarting));
        assertThat(decision.restart()).isTrue();
    }

    @Test
    void decidesAboutTheNewIncarnationEvenBeforeItsStartWasConfirmed() {
        ProcessSpec spec = spec("permanent");
        Child restarting = running(spec, 1).nextStart("process-service-abc123");

        RestartDecision decision = decide(Optional.of(restarting), spec, 2, CRASH, ROOT);

        assertThat(decision).isInstanceOfSatisfying(Restart.class,
                restart -> assertThat(restart.start().incarnation()).isEqualTo(3));
    }

    @Test
    void adoptsAnUnknownChildFromTheReport() {
        ProcessSpec spec = spec("permanent");

        RestartDecision decision = decide(Optional.empty(), spec, 4, CRASH, ROOT);

        assertThat(decision).isInstanceOfSatisfying(Restart.class, restart -> {
            assertThat(restart.exited().spec()).isEqualTo(spec);
            assertThat(restart.start().incarnation()).isEqualTo(5);
            assertThat(restart.start().restarts()).as("restarts so far: incarnation - 1").isEqualTo(4);
        });
    }

    @Test
    void releasesTheChildWhenTheSupervisorsIntensityIsExceeded() {
        ProcessSpec spec = spec("permanent");
        SupervisorState exhausted = ROOT.withRestarts(List.of(NOW.minusSeconds(3), NOW.minusSeconds(2), NOW.minusSeconds(1)));

        RestartDecision decision = decide(Optional.of(running(spec, 1)), spec, 1, CRASH, exhausted);

        assertThat(decision).isInstanceOfSatisfying(Release.class, release -> {
            assertThat(release.cause()).isEqualTo(Cause.INTENSITY);
            assertThat(release.exited().incarnation()).isEqualTo(1);
            assertThat(release.supervisor().restarts()).hasSize(3);
        });
        assertThat(decision.restart()).isFalse();
    }

    @Test
    void doesNotCountARestartThatTheRestartTypeForbids() {
        ProcessSpec spec = spec("transient");

        RestartDecision decision = decide(Optional.of(running(spec, 1)), spec, 1, ExitReasons.NORMAL, ROOT);

        assertThat(((Release) decision).supervisor().restarts()).isEmpty();
    }
}
