import { Component, inject, signal } from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { EventHubRecovery, EventHubService } from './event-hub.service';

/** Keeps a long-running page's memory flat. */
const MAX_EVENTS = 100;

interface ShownEvent {
  id: number;
  text: string;
}

/**
 * The example: connection state, the events on demo.news (or the address in `?address=`), what the
 * last reconnect recovered, and a field that publishes there.
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
    this.hub.connect();
  }

  protected publish(input: HTMLInputElement): void {
    const text = input.value.trim();
    if (!text) return;
    this.hub.publish(this.address, { text });
    input.value = '';
  }
}

/** The demo's events are `{"text": ...}`; anything else is shown as JSON. */
function describe(body: unknown): string {
  if (typeof body === 'string') return body;
  const text = (body as { text?: unknown } | null)?.text;
  return typeof text === 'string' ? text : JSON.stringify(body);
}
