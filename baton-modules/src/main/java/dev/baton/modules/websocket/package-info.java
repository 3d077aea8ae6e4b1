/**
 * The websocket module (ids 80-89): WebSocket client connections on {@link
 * java.net.http.WebSocket}, owned by the process that connected them.
 */
@NullMarked
package dev.baton.modules.websocket;

import org.jspecify.annotations.NullMarked;
