import { Component, inject, signal } from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { EMPTY, catchError, filter, switchMap } from 'rxjs';
import { EventHubRecovery, EventHubService } from './event-hub.service';

/** Keeps a long-running page's memory flat. */
const MAX_EVENTS = 100;

interface ShownEvent {
  id: number;
  text: string;
}

/**
 * The example: connection state, the events on demo.news (or the address in `?address=`), what the
 * last reconnect recovered, a field that publishes there, and who is reading it (when the hub's
 * presence.patterns track it).
 */
@Component({
  selector: 'app-root',
  templateUrl: './app.component.html',
  styleUrl: './app.component.css',
})
export class AppComponent {
  private readonly hub = inject(EventHubService);
  private received = 0;

  protected readonly state = toSignal(this.hub.state$, { requireSync: true });
  protected readonly fatal = toSignal(this.hub.fatal$, { requireSync: true });
  protected readonly events = signal<ShownEvent[]>([]);
  protected readonly recovery = signal<EventHubRecovery | null>(null);
  protected readonly address = new URLSearchParams(location.search).get('address') || 'demo.news';
  /** User ids present on the address: the snapshot on each (re)connect, then the joins and leaves. */
  protected readonly present = signal<string[]>([]);

  constructor() {
    this.hub
      .on(this.address)
      .pipe(takeUntilDestroyed())
      .subscribe((body) => {
        const shown = { id: ++this.received, text: describe(body) };
        this.events.update((events) => [...events.slice(1 - MAX_EVENTS), shown]);
      });
    // An application would refetch its state from its back end when recovered is false.
    this.hub.recoveries$.pipe(takeUntilDestroyed()).subscribe((recovery) => this.recovery.set(recovery));
    this.hub
      .presenceEvents(this.address)
      .pipe(takeUntilDestroyed())
      .subscribe((e) =>
        this.present.update((users) => (e.event === 'join' ? union(users, [e.userId]) : users.filter((u) => u !== e.userId))),
      );
    this.hub.state$
      .pipe(
        filter((state) => state === 'open'),
        // A hub that does not track the address answers with an error: the page just shows nobody.
        switchMap(() => this.hub.presence(this.address).pipe(catchError(() => EMPTY))),
        takeUntilDestroyed(),
      )
      .subscribe((snapshot) => this.present.update((users) => union(users, snapshot.users.map((u) => u.userId))));
    this.hub.connect();
  }

  protected publish(input: HTMLInputElement): void {
    const text = input.value.trim();
    if (!text) return;
    this.hub.publish(this.address, { text });
    input.value = '';
  }
}

function union(users: string[], more: string[]): string[] {
  return [...new Set([...users, ...more])].sort();
}

/** The demo's events are `{"text": ...}`; anything else is shown as JSON. */
function describe(body: unknown): string {
  if (typeof body === 'string') return body;
  const text = (body as { text?: unknown } | null)?.text;
  return typeof text === 'string' ? text : JSON.stringify(body);
}
