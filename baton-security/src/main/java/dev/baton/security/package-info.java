/**
 * The security command module (ids 130-139): signed tokens (JWT) with expiry, scopes and durable
 * revocation.
 */
@NullMarked
package dev.baton.security;

import org.jspecify.annotations.NullMarked;
