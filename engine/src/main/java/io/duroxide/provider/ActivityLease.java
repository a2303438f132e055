package io.duroxide.provider;

/**
 * An activity work item locked for one worker.
 *
 * @param deliveryCount how many times it has been fetched, including this time (poison detection)
 */
public record ActivityLease(String lockToken, ActivityWorkItem item, int deliveryCount) {}
