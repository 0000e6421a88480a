package io.beamline.examples.greeter;

import io.beamline.api.ProcessContext;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** The behavior alone, with a recording context (the node-level test loads the real jar: PlatformApiIT). */
class GreeterTest {

    /** A context that records replies and events; every other operation is unused by the greeter. */
    private static final class Recording implements ProcessContext {
        final List<Object> replies = new ArrayList<>();
        final List<Object> events = new ArrayList<>();
        boolean call;

        public String self() { return "abc123.1"; }
        public int incarnation() { return 1; }
        public Map<String, Object> args() { return Map.of(); }
        public void send(String to, Object message) { throw new UnsupportedOperationException(); }
        public boolean isCall() { return call; }
        public void reply(Object value) { replies.add(value); }
        public String spawn(String behavior, Map<String, Object> args) { throw new UnsupportedOperationException(); }
        public void emit(Object event) { events.add(event); }
        public void exit(String reason) { throw new UnsupportedOperationException(); }
        public String sendAfter(long delayMillis, Object message) { throw new UnsupportedOperationException(); }
        public String sendInterval(long everyMillis, Object message) { throw new UnsupportedOperationException(); }
        public boolean cancelTimer(String ref) { throw new UnsupportedOperationException(); }
        public void link(String id) { throw new UnsupportedOperationException(); }
        public void unlink(String id) { throw new UnsupportedOperationException(); }
        public String monitor(String id) { throw new UnsupportedOperationException(); }
        public void demonitor(String ref) { throw new UnsupportedOperationException(); }
    }

    @Test
    void greetsByNameAndCounts() {
        Greeter greeter = new Greeter();
        Recording context = new Recording();
        greeter.init(Map.of("greeting", "Hej"), context);
        context.call = true;

        greeter.handle(Map.of("op", "greet", "name", "Ada"), context);
        greeter.handle(Map.of("op", "count"), context);

        assertThat(context.replies).containsExactly(Map.of("greeting", "Hej, Ada!", "greeted", 1L), Map.of("greeted", 1L));
    }

    @Test
    void castEmitsTheGreeting() {
        Greeter greeter = new Greeter();
        Recording context = new Recording();
        greeter.init(Map.of(), context);

        greeter.handle(Map.of("op", "greet", "name", "Grace"), context);

        assertThat(context.events).containsExactly(Map.of("greeting", "Hello, Grace!"));
    }

    @Test
    void anythingElseCrashesIt() {
        Greeter greeter = new Greeter();
        Recording context = new Recording();
        greeter.init(Map.of(), context);

        assertThatIllegalArgumentException().isThrownBy(() -> greeter.handle("hello", context));
        assertThatIllegalArgumentException().isThrownBy(() -> greeter.handle(Map.of("op", "greet"), context));
        assertThatIllegalArgumentException().isThrownBy(() -> greeter.init(Map.of("greeting", 7), context));
    }
}
