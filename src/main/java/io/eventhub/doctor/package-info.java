/**
 * {@code java -jar event-hub.jar doctor}: diagnoses a user's own Apache in front of the hub and says
 * the fix. {@link io.eventhub.doctor.Doctor} is the entry point.
 *
 * <p>Reading: {@link io.eventhub.doctor.ApacheCtl} asks the installed httpd ({@code -t -D DUMP_INCLUDES},
 * {@code -M}, {@code -S}, {@code -v}); {@link io.eventhub.doctor.ApacheConfigReader} reads the files as
 * httpd does (Includes, Define, conditional sections) into an {@link io.eventhub.doctor.ApacheSetup} of
 * {@link io.eventhub.doctor.Host}s. {@link io.eventhub.doctor.Routing} (with
 * {@link io.eventhub.doctor.Rewrite} for mod_rewrite) works out where each hub request goes.
 *
 * <p>Checks: {@link io.eventhub.doctor.StaticChecks} finds the hosts that proxy {@code /eventbus} and
 * runs {@link io.eventhub.doctor.ProxyChecks} (WebSocket upgrade, rule order, modules, stickiness),
 * {@link io.eventhub.doctor.ForwardingChecks} (Host and X-Forwarded-Proto, timeouts against the hub's
 * heartbeat, output filters), {@link io.eventhub.doctor.WorkerCheck} (MaxRequestWorkers and the MPM's
 * limits) and {@link io.eventhub.doctor.CertificateCheck} (the hub's PEM preflight on every certificate,
 * key and chain file). {@link io.eventhub.doctor.LiveChecks} tries the path through a running Apache, and
 * {@link io.eventhub.doctor.Answers} says what a failed request means and at which hop.
 * {@link io.eventhub.doctor.Report} prints the {@link io.eventhub.doctor.Finding}s.
 *
 * <p>Layering: uses {@code tls} and {@code config}; nothing in the hub uses it.
 */
package io.eventhub.doctor;
