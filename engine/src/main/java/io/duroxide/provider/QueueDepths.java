package io.duroxide.provider;

/** Work that is ready now and not locked by anyone: the backlog a scaling decision looks at. */
public record QueueDepths(long orchestratorReady, long activityReady) {}
