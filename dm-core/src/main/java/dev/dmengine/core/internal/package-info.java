/**
 * Internal helpers of the engine (its JSON mapper). Not an API: hosts and adapters must not
 * import this package; it may change in any release.
 */
package dev.dmengine.core.internal;
