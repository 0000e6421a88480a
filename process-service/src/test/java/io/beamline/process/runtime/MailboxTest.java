package io.beamline.process.runtime;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The mailbox's queue on its own: order, capacity, what a slot holds, and the segment sizes, with
 * one consumer and, where it says so, many concurrent producers.
 */
class MailboxTest {

    /** A mailbox with nothing to run: the queue alone. */
    private static final class Box extends Mailbox {
        Box(int capacity) {
            super(capacity);
        }

        @Override
        protected boolean exec() {
            return false;
        }
    }

    private record Numbered(int sender, int sequence) {
    }

    @Test
    void anEmptyMailboxHasNothingToTake() {
        Box box = new Box(0);

        assertThat(box.hasMail()).isFalse();
        assertThat(box.poll()).isNull();
        assertThat(box.size()).isZero();
    }

    @Test
    void takesMessagesInPushOrderAcrossManySegments() {
        Box box = new Box(0);
        int count = 3 * Mailbox.MAX_SEGMENT + 17;

        for (int i = 0; i < count; i++) {
            box.push(i);
        }

        assertThat(box.size()).isEqualTo(count);
        for (int i = 0; i < count; i++) {
            assertThat(box.hasMail()).isTrue();
            assertThat(box.poll()).isEqualTo(i);
        }
        assertThat(box.hasMail()).isFalse();
        assertThat(box.poll()).isNull();
        box.released(count);
        assertThat(box.size()).isZero();
    }

    @Test
    void goesOnAfterItRanDryAtTheEndOfASegment() {
        Box box = new Box(0);

        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < Mailbox.MIN_SEGMENT; i++) {
                box.push(round * 100 + i);
            }
            for (int i = 0; i < Mailbox.MIN_SEGMENT; i++) {
                assertThat(box.poll()).isEqualTo(round * 100 + i);
            }
            assertThat(box.poll()).isNull();
        }
    }

    @Test
    void keepsEachSendersOrderUnderConcurrentSendsWhileTheConsumerTakes() throws Exception {
        Box box = new Box(0);
        int senders = 4;
        int perSender = 200_000;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            int sender = s;
            threads.add(Thread.ofPlatform().start(() -> {
                awaitQuietly(start);
                for (int i = 0; i < perSender; i++) {
                    box.push(new Numbered(sender, i));
                }
            }));
        }

        start.countDown();
        int[] next = new int[senders];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (int taken = 0; taken < senders * perSender; ) {
            Object message = box.poll();
            if (message == null) {
                assertThat(System.nanoTime()).as("all messages taken in time").isLessThan(deadline);
                Thread.onSpinWait();
                continue;
            }
            Numbered numbered = (Numbered) message;
            assertThat(numbered.sequence()).as("sender %d", numbered.sender()).isEqualTo(next[numbered.sender()]);
            next[numbered.sender()]++;
            taken++;
        }
        for (Thread thread : threads) {
            thread.join();
        }

        assertThat(next).containsOnly(perSender);
        assertThat(box.poll()).isNull();
    }

    @Test
    void aBoundedMailboxDeclinesPastItsCapacityAndTakesAgainOnceRoomIsGivenBack() {
        Box box = new Box(2);

        assertThat(box.reserve()).isTrue();
        box.push("a");
        assertThat(box.reserve()).isTrue();
        box.push("b");
        assertThat(box.reserve()).isFalse();
        assertThat(box.size()).isEqualTo(2);

        assertThat(box.poll()).isEqualTo("a");
        box.released(1);

        assertThat(box.reserve()).isTrue();
        box.push("c");
        assertThat(box.poll()).isEqualTo("b");
        assertThat(box.poll()).isEqualTo("c");
        assertThat(box.poll()).isNull();
    }

    @Test
    void aCastTravelsAsItsPayloadUnlessThePayloadCannotStandForItself() {
        Envelope call = new Envelope.CallEnvelope("question", new Call("p", 1_000));

        assertThat(Envelope.of("hello")).isEqualTo("hello");
        assertThat(Envelope.of(null)).isInstanceOf(Envelope.class);
        assertThat(Envelope.payload(Envelope.of(null))).isNull();
        assertThat(Envelope.payload(Envelope.of(call))).isSameAs(call);
        assertThat(Envelope.takeCall(Envelope.of(call))).isNull(); // a cast that carries an envelope is still a cast
        assertThat(Envelope.takeCall("hello")).isNull();
        assertThat(Envelope.timed(new Envelope.Timed("tick"))).isTrue();
        assertThat(Envelope.timed("tick")).isFalse();
    }

    @Test
    void aQueuedCastCostsItsSlotNotAnObject() {
        Box box = new Box(0);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Object cast = "cast";
        int count = 1_000_000;
        box.push(cast); // the first segment and the class loading are not what is measured

        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < count; i++) {
            box.push(cast);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        // a slot is 4 bytes (8 without compressed references) plus its share of a segment; a node per message was 24
        assertThat((double) allocated / count).isLessThan(12.0);
    }

    @Test
    void aTakenMessageIsNotKeptAliveByTheMailbox() {
        Box box = new Box(0);
        Object message = new Object();
        WeakReference<Object> reference = new WeakReference<>(message);
        box.push(message);
        box.push("next"); // the same segment: it stays the mailbox's current one

        assertThat(box.poll()).isSameAs(message);
        message = null;

        await().atMost(Duration.ofSeconds(10)).until(() -> {
            System.gc();
            return reference.get() == null;
        });
    }

    @Test
    void segmentsGrowWithTheBacklogWithinTheirBounds() {
        assertThat(Mailbox.segmentLength(0)).isEqualTo(Mailbox.MIN_SEGMENT);
        assertThat(Mailbox.segmentLength(-5)).isEqualTo(Mailbox.MIN_SEGMENT);
        assertThat(Mailbox.segmentLength(100)).isEqualTo(64);
        assertThat(Mailbox.segmentLength(5_000_000)).isEqualTo(Mailbox.MAX_SEGMENT);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
