package io.duroxide.provider;

/**
 * Non-terminal instances of one orchestration in one state: {@code running} (has ready or in-flight
 * work), {@code waiting} (only timers, events or children pending), {@code suspended}, {@code pending}.
 */
public record ActiveInstanceCount(String orchestrationName, String state, long count) {}
