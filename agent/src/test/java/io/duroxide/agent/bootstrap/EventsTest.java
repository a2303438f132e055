package io.duroxide.agent.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each event lists its fields twice: declared, and in the one method that copies them (held events, and clearing
 * the thread's event). A field added to the declarations only would be lost while the agent starts, or leak from
 * one call into the next: every field of every event is set here and must survive a copy and go with a clear.
 */
class EventsTest {
    @Test
    void aCopyHasEveryFieldAndBeginClearsEveryField() throws Exception {
        TurnCommitted turn = TurnCommitted.begin();
        fillEveryField(turn);
        assertSameFields(turn.copy(), turn);
        assertCleared(TurnCommitted.begin());

        ActivityAttempt attempt = ActivityAttempt.begin();
        fillEveryField(attempt);
        assertSameFields(attempt.copy(), attempt);
        assertCleared(ActivityAttempt.begin());

        WorkerLoop loop = WorkerLoop.begin();
        fillEveryField(loop);
        assertSameFields(loop.copy(), loop);
        assertCleared(WorkerLoop.begin());

        ProviderCall call = new ProviderCall();
        fillEveryField(call);
        assertSameFields(call.copy(), call);
    }

    @Test
    void beginGivesTheThreadItsOwnEvent() throws Exception {
        assertThat(ActivityAttempt.begin()).isSameAs(ActivityAttempt.begin());
        ActivityAttempt[] other = new ActivityAttempt[1];
        Thread t = new Thread(() -> other[0] = ActivityAttempt.begin());
        t.start();
        t.join();
        assertThat(other[0]).isNotNull().isNotSameAs(ActivityAttempt.begin());
    }

    private static List<Field> publicFields(Object event) {
        return java.util.Arrays.stream(event.getClass().getDeclaredFields())
                .filter(f -> Modifier.isPublic(f.getModifiers()) && !Modifier.isStatic(f.getModifiers()))
                .toList();
    }

    private static void fillEveryField(Object event) throws IllegalAccessException {
        for (Field f : publicFields(event)) {
            Class<?> t = f.getType();
            Object value = t == long.class ? (Object) 42L
                    : t == int.class ? (Object) 7
                    : t == boolean.class ? (Object) true
                    : t == String.class ? f.getName()
                    : t == Instant.class ? Instant.ofEpochSecond(1_000_000)
                    : t == List.class ? List.of(f.getName())
                    : t == Throwable.class ? new IllegalStateException(f.getName())
                    : new Object();
            f.set(event, value);
        }
    }

    private static void assertSameFields(Object copy, Object original) throws IllegalAccessException {
        assertThat(copy).isNotSameAs(original);
        for (Field f : publicFields(original)) {
            assertThat(f.get(copy)).as(f.getName()).isEqualTo(f.get(original));
        }
    }

    private static void assertCleared(Object event) throws IllegalAccessException {
        for (Field f : publicFields(event)) {
            Object v = f.get(event);
            assertThat(v == null || v.equals(0L) || v.equals(0) || v.equals(false)).as(f.getName() + " = " + v).isTrue();
        }
    }
}
