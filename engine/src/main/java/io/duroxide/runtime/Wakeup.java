package io.duroxide.runtime;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Lets a dispatcher that found no work sleep until either its poll interval passes or this process
 * produces work for it. Work from other processes is found by the next poll.
 */
final class Wakeup {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition signalled = lock.newCondition();
    private long generation;

    void signal() {
        lock.lock();
        try {
            generation++;
            signalled.signalAll();
        } finally {
            lock.unlock();
        }
    }

    long generation() {
        lock.lock();
        try {
            return generation;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until a signal newer than {@code seen} arrives or the timeout passes. */
    void awaitAfter(long seen, Duration timeout) throws InterruptedException {
        long remaining = timeout.toNanos();
        lock.lock();
        try {
            while (generation == seen && remaining > 0) {
                remaining = signalled.awaitNanos(remaining);
            }
        } finally {
            lock.unlock();
        }
    }
}
