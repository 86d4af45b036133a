/**
 * PEM preflight: {@link io.eventhub.tls.TlsPreflight} is the check run before any PEM file is used, by
 * {@code check-cert FILE...} for the files Apache is about to load and by the hub at start when it
 * terminates TLS itself ({@code tls.enabled}; a problem is exit code 2).
 *
 * <p>{@link io.eventhub.tls.PemCheck} reads PEM files the way a careful human would and says what is
 * wrong with file, line and fix, where Apache and OpenSSL give an opaque error at start-up: dashes in
 * BEGIN/END lines (the classic {@code ----BEGIN CERTIFICATE-----} with four), unmatched or missing
 * markers, a byte-order mark, Windows line endings, text before the first marker, broken base64,
 * certificates out of date or out of order (server certificate first, then its issuers), a key that
 * does not belong to the certificate, and old-format or encrypted keys, with the {@code openssl} command
 * that converts them.
 */
package io.eventhub.tls;
