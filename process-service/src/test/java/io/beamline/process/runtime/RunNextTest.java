package io.beamline.process.runtime;

import io.beamline.api.wire.ProcessSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@link RunNext} slot on its own: its chain bound, who gets the slot, and that each occupant
 * leaves it exactly once when the owner and a thief race. The cells are unpublished tokens: no
 * turn runs here.
 */
class RunNextTest {

    private ProcessRuntime runtime;

    @BeforeEach
    void startRuntime() {
        runtime = new ProcessRuntime(new RuntimeConfig(RuntimeFixture.NODE, 1, 64, 0), RuntimeFixture.catalog());
    }

    @AfterEach
    void closeRuntime() {
        runtime.close();
    }

    private Cell cell() {
        ProcessSpec spec = RuntimeFixture.spec(Scripted.NAME, Scripted.handling((message, context) -> { }));
        return new Cell(runtime, spec.withId(runtime.newProcessId()), 1, 0, new Scripted(), 0,
                ProcessOptions.of(spec.args(), false));
    }

    @Test
    void aChainTakesAtMostMaxChainTurnsFromTheSlot() {
        RunNext slot = new RunNext();
        Cell woken = cell();
        slot.open();
        int chained = 0;
        while (slot.accepts()) {
            assertThat(slot.offer(woken)).isNull();
            assertThat(slot.take()).isSameAs(woken);
            chained++;
        }
        assertThat(chained).isEqualTo(RunNext.MAX_CHAIN);
        assertThat(slot.take()).isNull();
        assertThat(slot.close()).isNull();

        slot.open(); // the next queued turn starts a new chain
        assertThat(slot.accepts()).isTrue();
    }

    @Test
    void aRenewedChainMayGoOnPastTheBound() {
        RunNext slot = new RunNext();
        Cell woken = cell();
        slot.open();
        for (int i = 0; i < RunNext.MAX_CHAIN; i++) {
            slot.offer(woken);
            slot.take();
        }
        assertThat(slot.accepts()).isFalse();
        assertThat(slot.isOpen()).isTrue();

        slot.renew(); // what the runtime does when nothing else waits for the scheduler

        assertThat(slot.accepts()).isTrue();
    }

    @Test
    void aNewerWakeUpTakesTheSlotAndHandsBackTheOlderOccupant() {
        RunNext slot = new RunNext();
        Cell older = cell();
        Cell newer = cell();
        slot.open();

        assertThat(slot.offer(older)).isNull();
        assertThat(slot.offer(newer)).as("the older occupant, for the queue").isSameAs(older);
        assertThat(slot.take()).isSameAs(newer);
        assertThat(slot.take()).isNull();
    }

    @Test
    void aClosedSlotAcceptsNothingAndHandsBackWhatIsLeft() {
        RunNext slot = new RunNext();
        Cell left = cell();
        assertThat(slot.accepts()).as("closed until a queued turn opens it").isFalse();
        slot.open();
        slot.offer(left);

        assertThat(slot.close()).isSameAs(left);
        assertThat(slot.accepts()).isFalse();
        assertThat(slot.peek()).isNull();
    }

    @Test
    void eachOccupantLeavesExactlyOnceWhenOwnerAndThiefRace() throws Exception {
        RunNext slot = new RunNext();
        List<Cell> cells = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            cells.add(cell());
        }
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong stolen = new AtomicLong();
        Thread thief = new Thread(() -> {
            while (!done.get()) {
                if (slot.steal() != null) {
                    stolen.incrementAndGet();
                }
            }
        });
        thief.start();
        long offered = 0;
        long taken = 0;
        long displaced = 0;
        int rounds = 2_000_000;
        for (int i = 0; i < rounds; i++) {
            slot.open();
            if (slot.offer(cells.get(i & 7)) != null) {
                displaced++;
            }
            offered++;
            if ((i & 1) == 0 && slot.offer(cells.get((i + 3) & 7)) != null) { // two wake-ups in one turn
                displaced++;
            }
            if ((i & 1) == 0) {
                offered++;
            }
            if (slot.take() != null) {
                taken++;
            }
            if (slot.close() != null) {
                taken++;
            }
        }
        done.set(true);
        thief.join();

        assertThat(taken + displaced + stolen.get()).isEqualTo(offered);
        assertThat(slot.peek()).isNull();
    }
}
