/**
 * The hub's configuration: one immutable, validated object, read once at start.
 *
 * <p>{@link io.eventhub.config.ConfigLoader} is the entry point: built-in defaults
 * ({@code defaults.json} in the jar), then the JSON file ({@code conf/hub.json} or {@code --conf}),
 * then {@code HUB_*} environment variables, whose names follow from the key paths
 * ({@code bridge.maxFrameBytes} → {@code HUB_BRIDGE_MAX_FRAME_BYTES}; lists as JSON or comma-separated).
 * The result is a {@link io.eventhub.config.HubConfig}, whose records hand each part of the hub only
 * its own section, so nothing reads raw JSON at run time.
 *
 * <p>Validation collects every problem before failing, each naming its key path and why, so an
 * operator fixes a file in one pass (exit code 2). An unknown key in the file is an error, because a
 * typo must not silently fall back to a default; an unknown {@code HUB_*} variable is only a warning,
 * because the environment is shared with other programs. Secrets are masked when the configuration
 * is printed.
 */
package io.eventhub.config;
