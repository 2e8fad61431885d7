/**
 * Helpers shared by the leakproof components. Not API: may change in any release.
 */
package dev.leakproof.internal;
