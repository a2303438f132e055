package io.duroxide.history;

/**
 * The orchestration that started a sub-orchestration, with the task id it awaits on. Carrying the
 * parent's execution id lets the child's completion reach the right execution even after the parent
 * continued as new on another node.
 */
public record ParentRef(String instanceId, long executionId, int taskId, String orchestrationName) {}
