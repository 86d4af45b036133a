import {
  DestroyRef,
  EnvironmentProviders,
  Injectable,
  InjectionToken,
  NgZone,
  inject,
  makeEnvironmentProviders,
} from '@angular/core';
import { BehaviorSubject, Observable, Subject, distinctUntilChanged, map, share } from 'rxjs';
import type {
  EventHubClient,
  EventHubClientError,
  EventHubClientMessage,
  EventHubClientOptions,
  EventHubClientRecovery,
  EventHubCloseInfo,
  EventHubSubscribeOptions,
} from './event-hub-client';

export type { EventHubCloseInfo, EventHubSubscribeOptions } from './event-hub-client';
export type EventHubMessage<T = unknown> = EventHubClientMessage<T>;

/**
 * The outcome of a reconnect for an address with history (the hub's `history.streams`): `recovered`,
 * the events missed meanwhile come next, in order, each once; not recovered (history_unavailable),
 * some are lost for good and the application must refetch its state; the live stream goes on from
 * `position`.
 */
export type EventHubRecovery = EventHubClientRecovery;

/**
 * idle: connect() not called yet; reconnecting: lost, the client retries with backoff; fatal: the hub
 * refused for good (4401, 4403, 4009), see fatal$; closed: close() was called.
 */
export type EventHubState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'fatal' | 'closed';

export interface EventHubConfig extends EventHubClientOptions {
  /** SockJS base URL. Keep it on the page's origin: that is what lets the login cookie go along. */
  url?: string;
  /** A login session id sent as `?session=`, for when the cookie cannot carry it (e.g. Laravel's encrypted cookie). */
  session?: string | null;
}

export const EVENT_HUB_CONFIG = new InjectionToken<EventHubConfig>('EVENT_HUB_CONFIG', {
  providedIn: 'root',
  factory: () => ({}),
});

/** Optional: without it the service connects to `/eventbus` with the client's defaults. */
export function provideEventHub(config: EventHubConfig): EnvironmentProviders {
  return makeEnvironmentProviders([{ provide: EVENT_HUB_CONFIG, useValue: config }]);
}

/**
 * Who is on a tracked address (the hub's `presence.patterns`), for the whole cluster. Past the hub's
 * `presence.maxUsers` users, `users` is empty and `countsOnly` true.
 */
export interface PresenceSnapshot {
  address: string;
  connections: number;
  userCount: number;
  users: { userId: string; connections: number }[];
  countsOnly?: boolean;
}

/** A user's first connection to the address arrived (join) or their last one left (leave); `connections`: the address's. */
export interface PresenceEvent {
  event: 'join' | 'leave';
  userId: string;
  connections: number;
}

/** A refusal: `code` is the hub's error code (`access_denied`, `rate_limited`, ...) or TIMEOUT, DISCONNECTED, not_connected. */
export class EventHubError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'EventHubError';
  }

  static from(failure: unknown): EventHubError {
    if (failure instanceof EventHubError) return failure;
    // The client throws a plain Error when a frame cannot even be queued (closed, failed, queue full).
    if (failure instanceof Error) return new EventHubError('not_connected', failure.message);
    const frame = (failure ?? {}) as Partial<EventHubClientError>;
    const code = frame.body ?? frame.failureType ?? 'error';
    return new EventHubError(code, frame.message ?? code);
  }
}

/** The address's one registration with the hub, shared by every subscriber of on(address). */
interface Route {
  deliver: (body: unknown, message: EventHubMessage) => void;
  stop?: () => void;
  /** The last position seen (addresses with history): a new client after connect() starts after it. */
  position?: string;
}

/**
 * Angular face of the hub's hosted client (the global `EventHub` from /eventbus/client.js, which
 * index.html loads from the hub): reconnecting with backoff, registering subscriptions again after a
 * reconnect (with the last position seen, so that the hub replays what was missed on addresses with
 * history) and queueing publishes while disconnected are the client's work; this service turns its
 * callbacks into Observables, and keeps the positions across clients (connect() after close() or a
 * fatal refusal recovers too).
 */
@Injectable({ providedIn: 'root' })
export class EventHubService {
  private readonly config = inject(EVENT_HUB_CONFIG);
  private readonly zone = inject(NgZone);
  private client?: EventHubClient;
  private readonly routes = new Map<string, Route>();
  private readonly streams = new Map<string, Observable<EventHubMessage>>();
  private readonly stateSubject = new BehaviorSubject<EventHubState>('idle');
  private readonly fatalSubject = new BehaviorSubject<EventHubCloseInfo | null>(null);
  private readonly errorSubject = new Subject<EventHubError>();
  private readonly recoverySubject = new Subject<EventHubRecovery>();

  readonly state$: Observable<EventHubState> = this.stateSubject.pipe(distinctUntilChanged());
  /** The close code and reason once the hub refused for good; null before that and after connect(). */
  readonly fatal$: Observable<EventHubCloseInfo | null> = this.fatalSubject.asObservable();
  /** Refusals not tied to a send(): a denied subscription or publish, `rate_limited`, ... */
  readonly errors$: Observable<EventHubError> = this.errorSubject.asObservable();
  /**
   * Per address with history, after each reconnect: recovered (nothing lost) or not (refetch the
   * state, e.g. from the back end; the live stream goes on).
   */
  readonly recoveries$: Observable<EventHubRecovery> = this.recoverySubject.asObservable();

  constructor() {
    inject(DestroyRef).onDestroy(() => this.close());
  }

  get state(): EventHubState {
    return this.stateSubject.value;
  }

  /**
   * Opens the connection unless one is open or being retried. After close() or a fatal refusal (say,
   * once the user has logged in again) it opens a new one and registers the live subscriptions on it.
   */
  connect(): void {
    if (this.client && this.client.state !== 'failed') return;
    const EventHub = globalThis.EventHub;
    if (!EventHub) {
      throw new Error('EventHub is not defined: load /eventbus/sockjs.min.js and /eventbus/client.js in index.html');
    }
    const { url = '/eventbus', session, ...options } = this.config;
    const target = session ? `${url}${url.includes('?') ? '&' : '?'}session=${encodeURIComponent(session)}` : url;
    // Outside Angular's zone, so that SockJS's timers and heartbeats do not run change detection in
    // zone.js apps; emit() re-enters it. Both are no-ops in a zoneless app.
    const client = this.zone.runOutsideAngular(() => new EventHub(target, options));
    this.client = client;
    // A replaced client's late callbacks must not touch the state of its successor.
    const whileCurrent =
      <A extends unknown[]>(listener: (...args: A) => void) =>
      (...args: A) => {
        if (this.client === client) this.emit(() => listener(...args));
      };
    client.on('open', whileCurrent(() => this.stateSubject.next('open')));
    client.on('reconnect', whileCurrent(() => this.stateSubject.next('open')));
    client.on('reconnecting', whileCurrent(() => this.stateSubject.next('reconnecting')));
    client.on(
      'fatal',
      whileCurrent((info: EventHubCloseInfo) => {
        this.fatalSubject.next(info);
        this.stateSubject.next('fatal');
      }),
    );
    client.on('error', whileCurrent((error: EventHubClientError) => this.errorSubject.next(EventHubError.from(error))));
    client.on(
      'recovery',
      whileCurrent((recovery: EventHubClientRecovery) => {
        const route = this.routes.get(recovery.address);
        // Unavailable: the live stream goes on from here, and so would a later client.
        if (route && !recovery.recovered && recovery.position) route.position = recovery.position;
        this.recoverySubject.next(recovery);
      }),
    );
    this.fatalSubject.next(null);
    this.stateSubject.next('connecting');
    for (const [address, route] of this.routes) this.subscribe(client, address, route);
  }

  /**
   * Every message on address, with headers and, if the sender awaits one, reply(). `since`: a position
   * to start after (e.g. the one GET /api/history gave the back end that rendered the page); only the
   * first call for an address can give it, later ones share that call's registration.
   */
  messages<T = unknown>(address: string, options?: EventHubSubscribeOptions): Observable<EventHubMessage<T>> {
    let stream = this.streams.get(address);
    if (!stream) {
      // Only the first registration starts after it: one made after every subscriber had left starts live.
      let since = options?.since;
      // share(): the first subscriber registers with the hub, the last one out unregisters.
      stream = new Observable<EventHubMessage>((subscriber) => {
        const route: Route = {
          position: since,
          deliver: (_body, message) => {
            const position = message.headers?.['position'];
            if (position) route.position = position;
            this.emit(() => subscriber.next(message));
          },
        };
        since = undefined;
        if (this.client) this.subscribe(this.client, address, route);
        this.routes.set(address, route);
        return () => {
          route.stop?.();
          this.routes.delete(address);
        };
      }).pipe(share());
      // Kept for the service's life, so that every caller shares the one registration.
      this.streams.set(address, stream);
    }
    return stream as Observable<EventHubMessage<T>>;
  }

  /** The bodies of the events on address. Registers once subscribed, before or after connect(). */
  on<T = unknown>(address: string, options?: EventHubSubscribeOptions): Observable<T> {
    return this.messages<T>(address, options).pipe(map((message) => message.body));
  }

  /**
   * Publishes to every subscriber of address; queued by the client while it reconnects. Throws an
   * EventHubError (not_connected) when closed or refused; a denied address comes on errors$.
   */
  publish(address: string, body: unknown, headers?: Record<string, string>): void {
    try {
      this.requireClient().publish(address, body, headers);
    } catch (failure) {
      throw EventHubError.from(failure);
    }
  }

  /** Point-to-point: emits the reply's body, or errors with an EventHubError. Sent on subscribe. */
  send<T = unknown>(address: string, body: unknown, headers?: Record<string, string>): Observable<T> {
    return new Observable<T>((subscriber) => {
      let pending: Promise<EventHubClientMessage<T>>;
      try {
        pending = this.requireClient().send<T>(address, body, headers);
      } catch (failure) {
        subscriber.error(EventHubError.from(failure));
        return;
      }
      pending.then(
        (reply) =>
          this.emit(() => {
            subscriber.next(reply.body);
            subscriber.complete();
          }),
        (failure) => this.emit(() => subscriber.error(EventHubError.from(failure))),
      );
    });
  }

  /**
   * Who is on address now: emits one snapshot, or errors with an EventHubError (`access_denied` when
   * this user may not subscribe to the address; RECIPIENT_FAILURE when it is not tracked).
   */
  presence(address: string): Observable<PresenceSnapshot> {
    return this.send<PresenceSnapshot>('$presence', { address });
  }

  /** Users joining and leaving address, per user (not per connection); shares one registration like on(). */
  presenceEvents(address: string): Observable<PresenceEvent> {
    return this.on<PresenceEvent>('$presence:' + address);
  }

  /** Closes for good (no reconnect) until connect() is called again. */
  close(): void {
    const client = this.client;
    if (!client) return;
    this.client = undefined;
    client.close();
    for (const route of this.routes.values()) route.stop = undefined;
    this.stateSubject.next('closed');
  }

  private subscribe(client: EventHubClient, address: string, route: Route): void {
    route.stop = client.subscribe(address, route.deliver, route.position ? { since: route.position } : undefined);
  }

  private requireClient(): EventHubClient {
    if (!this.client) throw new EventHubError('not_connected', 'EventHubService: call connect() first');
    return this.client;
  }

  private emit(action: () => void): void {
    this.zone.run(action);
  }
}
