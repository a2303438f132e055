package io.duroxide.cli;

/**
 * A failure the user reads as one line on standard error, ending the command with its exit code. Messages
 * never carry a password: {@link DuroxideCli} masks every message it prints.
 */
final class CliFailure extends RuntimeException {
    /** No such instance, or the store refused the operation (the instance has ended, a child still runs). */
    static final int REFUSED = 1;
    /** The command line is wrong (picocli's own code for usage errors). */
    static final int USAGE = 2;
    /** The store cannot be opened or read: a missing or damaged file, an unreachable server. */
    static final int STORE_UNAVAILABLE = 3;

    private final int exitCode;

    CliFailure(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
