package io.duroxide.provider;

import io.duroxide.history.InitiatedBy;
import java.time.Instant;

/**
 * The durable facts of one execution that observers need: when it started (for end-to-end
 * durations that survive restarts) and how many turns have been committed so far.
 */
public record ExecutionRecord(long executionId, InitiatedBy initiatedBy, Instant startedAt, int turnCount) {}
