/**
 * The http module (ids 60-61): processes send HTTP requests on {@link java.net.http.HttpClient}
 * (one at a time, or a batch run concurrently) and get the response, whatever its status, as data;
 * with {@link dev.baton.modules.http.HttpModule#withStreams()}, a response body can come as a
 * stream of the stream module instead of bytes.
 */
@NullMarked
package dev.baton.modules.http;

import org.jspecify.annotations.NullMarked;
