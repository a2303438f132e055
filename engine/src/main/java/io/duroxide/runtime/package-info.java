/**
 * The runtime: dispatchers that fetch work from a {@link io.duroxide.provider.Provider}, the replay
 * engine that re-executes orchestration code over its history, and the activity worker. Public are only
 * {@link io.duroxide.runtime.DuroxideRuntime}, its {@link io.duroxide.runtime.RuntimeOptions}, the client
 * implementation {@link io.duroxide.runtime.ProviderClient}, and {@link io.duroxide.runtime.ActivityInvoker},
 * whose {@code invoke} the per-call benchmark calls directly. A few methods of this package are observation
 * points that an external agent weaves advice into; they and the values they pass are documented in
 * {@link io.duroxide.observe}.
 */
package io.duroxide.runtime;
