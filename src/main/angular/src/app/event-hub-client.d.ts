/*
 * Types for the hub's hosted client, the global `EventHub` that /eventbus/client.js defines
 * (src/main/resources/webroot/client.js). Only what EventHubService uses, and nothing more: the
 * script itself is loaded by index.html from the hub, so it always matches the hub's version.
 */

/** A frame the hub delivered: `rec` for events and replies. */
export interface EventHubClientMessage<T = unknown> {
  type: string;
  address: string;
  body: T;
  headers?: Record<string, string>;
  replyAddress?: string;
  /** Present when the sender awaits a reply. */
  reply?: (body: unknown, headers?: Record<string, string>) => Promise<EventHubClientMessage>;
}

/**
 * What send() rejects with and 'error' carries: the hub's `err` frame (`body` is the code, e.g.
 * `access_denied`), or the client's own `failureType` TIMEOUT / DISCONNECTED; a write on a closed
 * connection rejects with a plain Error instead.
 */
export interface EventHubClientError {
  type: 'err';
  body?: string;
  failureType?: string;
  message?: string;
  address?: string;
}

export interface EventHubCloseInfo {
  code: number;
  reason: string;
}

export interface EventHubReconnectInfo extends EventHubCloseInfo {
  delay: number;
  attempt: number;
}

/**
 * 'recovery': after a register with `since` (every reconnect of an address with history), whether the
 * hub replayed what was missed (`recovered`, `replayed` events up to `position` follow) or cannot
 * (history_unavailable: `position` is where the live stream goes on from).
 */
export interface EventHubClientRecovery {
  address: string;
  recovered: boolean;
  position?: string;
  replayed?: number;
}

export interface EventHubSubscribeOptions {
  /** A position (e.g. from GET /api/history when the page was rendered): start after it. */
  since?: string;
}

export interface EventHubClientOptions {
  minDelay?: number;
  maxDelay?: number;
  replyTimeout?: number;
  sockjs?: Record<string, unknown>;
}

export interface EventHubClient {
  /** 'connecting', 'open', 'closed' or 'failed' (after a fatal close code). */
  readonly state: string;
  readonly closedByUser: boolean;
  on(event: 'open' | 'reconnect', listener: () => void): this;
  on(event: 'close' | 'fatal', listener: (info: EventHubCloseInfo) => void): this;
  on(event: 'reconnecting', listener: (info: EventHubReconnectInfo) => void): this;
  on(event: 'error', listener: (error: EventHubClientError) => void): this;
  on(event: 'recovery', listener: (recovery: EventHubClientRecovery) => void): this;
  /** Returns the function that unsubscribes. */
  subscribe<T>(
    address: string,
    handler: (body: T, message: EventHubClientMessage<T>) => void,
    options?: EventHubSubscribeOptions,
  ): () => void;
  publish(address: string, body: unknown, headers?: Record<string, string>): void;
  send<T>(address: string, body: unknown, headers?: Record<string, string>): Promise<EventHubClientMessage<T>>;
  close(): void;
}

export interface EventHubClientConstructor {
  new (url: string, options?: EventHubClientOptions): EventHubClient;
  readonly FATAL_CODES: Record<number, string>;
}

declare global {
  /** Undefined when index.html does not load /eventbus/client.js. */
  var EventHub: EventHubClientConstructor | undefined;
}
