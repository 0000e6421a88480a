package io.beamline.process.runtime;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many senders into one receiver whose mailbox grows long (it spans many segments): every
 * message arrives, each sender's in the order sent, whether it came from a process or from
 * outside, and the mail the receiver handled is not kept by its mailbox.
 */
class FanInTest extends RuntimeFixture {

    private record Numbered(String sender, int sequence) {
    }

    private record Go(String receiver, int messages) {
    }

    @Test
    void everySendersMessagesArriveInTheOrderSentFromProcessesAndFromOutside() throws Exception {
        int senders = 40;
        int perSender = 10_000;
        int total = (senders + 1) * perSender;
        CompletableFuture<String> done = new CompletableFuture<>();
        Map<String, Integer> next = new HashMap<>(); // the receiver's own state: confined to its turns
        int[] received = new int[1];
        String receiver = spawnScripted((message, context) -> {
            Numbered numbered = (Numbered) message;
            int expected = next.getOrDefault(numbered.sender(), 0);
            if (numbered.sequence() != expected) {
                done.complete(numbered.sender() + " sent " + numbered.sequence() + " where " + expected + " was due");
            }
            next.put(numbered.sender(), expected + 1);
            if (++received[0] == total) {
                done.complete("all in order");
            }
        });
        String[] ids = new String[senders];
        for (int i = 0; i < senders; i++) {
            ids[i] = spawnScripted((message, context) -> {
                Go go = (Go) message;
                for (int sequence = 0; sequence < go.messages(); sequence++) {
                    context.send(go.receiver(), new Numbered(context.self(), sequence));
                }
            });
        }

        for (String sender : ids) {
            runtime.send(sender, new Go(receiver, perSender));
        }
        for (int sequence = 0; sequence < perSender; sequence++) {
            runtime.send(receiver, new Numbered("outside", sequence));
        }

        assertThat(done.get(60, TimeUnit.SECONDS)).isEqualTo("all in order");
    }

    @Test
    void aSendFromOutsideToABusyReceiverWithAMillionQueuedReturnsAndArrivesLast() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Integer> last = new CompletableFuture<>();
        int[] handled = new int[1];
        String receiver = spawnScripted((message, context) -> {
            if ("hold".equals(message)) {
                release.await(); // the receiver is busy while its mailbox fills
            } else if ("last".equals(message)) {
                last.complete(handled[0]);
            } else {
                handled[0]++;
            }
        });
        runtime.send(receiver, "hold");
        int queued = 1_000_000;
        for (int i = 0; i < queued; i++) {
            runtime.send(receiver, i);
        }

        runtime.send(receiver, "last");
        assertThat(runtime.status(receiver).mailboxSize()).isGreaterThanOrEqualTo(queued);
        release.countDown();

        assertThat(last.get(30, TimeUnit.SECONDS)).isEqualTo(queued);
    }

    @Test
    void aCastOfNullArrivesAsNull() throws Exception {
        CompletableFuture<Object> got = new CompletableFuture<>();
        String receiver = spawnScripted((message, context) -> got.complete(message == null ? "null" : message));

        runtime.send(receiver, null);

        assertThat(got.get(5, TimeUnit.SECONDS)).isEqualTo("null");
    }
}
