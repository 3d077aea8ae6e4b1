/**
 * The security command module (ids 130-139): signed tokens (JWT) with expiry, scopes and durable
 * revocation.
 *
 * <p>Configure issuers as {@link dev.baton.security.TokenStore}s, share them with {@link
 * dev.baton.security.TokenStores#component}, boot {@link dev.baton.security.SecurityModule}, and
 * yield the commands of {@link dev.baton.security.Security}: {@code CreateToken} (an {@link
 * dev.baton.security.IssuedToken}), {@code ValidateToken} (a {@link dev.baton.security.TokenInfo},
 * or a typed {@link dev.baton.security.InvalidTokenException} or {@link
 * dev.baton.security.InsufficientScopeException}) and {@code RevokeToken} (kept in a store of the
 * store module, so it is as durable and as shared as that store).
 */
@NullMarked
package dev.baton.security;

import org.jspecify.annotations.NullMarked;
