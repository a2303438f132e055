/**
 * Test applications, never shipped: the main classes that the agent-tests ITs run in child JVMs with the
 * real agent jar. They live in {@code src/main} of this test-only module on purpose: the children's class
 * path is this module's {@code target/classes} plus the engine's runtime dependencies
 * ({@code ChildJvm.workloadClasspath}), so a child sees what a real application would, without the ITs,
 * JUnit or AssertJ (which would sit beside them in {@code target/test-classes}). Conflicting-library and
 * isolated-loader cases depend on that class path holding nothing else.
 */
package io.duroxide.agenttests.apps;
