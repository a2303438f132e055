/**
 * What applications program against: {@link io.duroxide.api.Registry} for orchestrations and
 * activities, {@link io.duroxide.api.OrchestrationContext} inside orchestrations,
 * {@link io.duroxide.api.ActivityContext} inside activities, and {@link io.duroxide.api.DuroxideClient}
 * to start and manage instances ({@link io.duroxide.api.InstanceStatus}, {@link io.duroxide.api.Failure}).
 *
 * <p>This package depends on nothing else of the engine (the engine's {@code PackageDependenciesTest}
 * holds it so): the runtime, the storage providers and the stored history depend on it, never the other
 * way. A client comes from the runtime ({@code runtime.client()}) or, without one, from the store
 * ({@code new io.duroxide.runtime.ProviderClient(provider)}).
 */
package io.duroxide.api;
