package io.duroxide.agent.metrics;

import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reflective calls from the agent's poller thread into engine objects. The engine may live in a class
 * loader the agent cannot see, so methods are looked up on the engine's public interfaces/classes found
 * through the object's own class hierarchy, never linked statically. Only the poller uses this (every
 * poll interval), never a hot path.
 */
final class EngineProbe {
    private EngineProbe() {}

    private record MethodKey(Class<?> type, String owner, String method) {}

    private static final ConcurrentHashMap<MethodKey, Method> CACHE = new ConcurrentHashMap<>();

    /** Invokes a no-argument public method declared by the named public type in the target's hierarchy. */
    static Object call(Object target, String ownerTypeName, String method) throws ReflectiveOperationException {
        if (target == null) {
            return null;
        }
        MethodKey key = new MethodKey(target.getClass(), ownerTypeName, method);
        Method m = CACHE.get(key);
        if (m == null) {
            Class<?> owner = find(target.getClass(), ownerTypeName);
            if (owner == null) {
                throw new NoSuchMethodException(ownerTypeName + " is not a supertype of " + target.getClass().getName());
            }
            m = owner.getMethod(method);
            CACHE.put(key, m);
        }
        return m.invoke(target);
    }

    /** A public accessor on a (record) value, e.g. {@code orchestratorReady()}. */
    static Object accessor(Object value, String method) throws ReflectiveOperationException {
        MethodKey key = new MethodKey(value.getClass(), null, method);
        Method m = CACHE.get(key);
        if (m == null) {
            m = value.getClass().getMethod(method);
            CACHE.put(key, m);
        }
        return m.invoke(value);
    }

    static long longAccessor(Object value, String method) throws ReflectiveOperationException {
        Object v = accessor(value, method);
        return v instanceof Number ? ((Number) v).longValue() : 0L;
    }

    private static Class<?> find(Class<?> start, String name) {
        Deque<Class<?>> todo = new ArrayDeque<>();
        todo.add(start);
        while (!todo.isEmpty()) {
            Class<?> c = todo.poll();
            if (c.getName().equals(name)) {
                return c;
            }
            if (c.getSuperclass() != null) {
                todo.add(c.getSuperclass());
            }
            for (Class<?> i : c.getInterfaces()) {
                todo.add(i);
            }
        }
        return null;
    }
}
