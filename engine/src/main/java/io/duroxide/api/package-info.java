/**
 * What applications program against: {@link io.duroxide.api.Registry} for orchestrations and
 * activities, {@link io.duroxide.api.OrchestrationContext} inside orchestrations,
 * {@link io.duroxide.api.ActivityContext} inside activities, and {@link io.duroxide.api.DuroxideClient}
 * to start and manage instances.
 */
package io.duroxide.api;
