package io.duroxide.runtime;

import io.duroxide.provider.NewInstance;

/**
 * Where a runtime's client hands a start so that its first turn runs in this process at once, without a fetch
 * (an eager start, as Temporal's eager workflow start): the start is stored with the instance already locked for
 * this runtime, and an idle slot runs the turn. The guarantees are a fetched turn's: the lock is the store's, so a
 * runtime that dies before committing leaves the instance to whoever fetches it after the lock expires.
 */
interface EagerStart {
    /** Runs nothing here: every start goes through the queue. */
    EagerStart NONE = start -> false;

    /**
     * Stores the start and runs its first turn here if this runtime can: it is running, registers the orchestration,
     * and has a slot idle now. Returns false, with nothing stored, when it cannot.
     *
     * @throws io.duroxide.api.InstanceAlreadyExistsException if the id exists (nothing stored)
     */
    boolean startHere(NewInstance start);
}
