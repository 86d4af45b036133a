/**
 * The publish API for back ends: {@link io.eventhub.publish.PublishApi}, {@code POST /api/publish}.
 *
 * <p>One event {@code {address, body, headers?}} or a batch {@code [event, ...]}, authenticated with the
 * bearer token {@code publish.token} (empty: the API is off). A batch is checked whole before any of it
 * is published, so a bad item never leaves the others half sent; when the hub is behind with its
 * deliveries the whole request is refused with 503 {@code overloaded} and {@code Retry-After} instead of
 * being queued. Accepted events go through the delivery package's publisher, like those of bridge
 * clients. Publishing a session id to {@code auth.revocationAddress} ends that login's connections.
 */
package io.eventhub.publish;
