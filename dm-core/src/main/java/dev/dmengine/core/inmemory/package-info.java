/**
 * In-memory adapters of every port in {@code dm-spi}: the embedded defaults that let
 * {@code dm-core} run a whole game in one JVM, and the reference behaviour the contract suites
 * in {@code dm-testkit} describe. All are thread-safe and hand out immutable values or copies,
 * never their internal state. Nothing here survives a restart.
 */
package dev.dmengine.core.inmemory;
