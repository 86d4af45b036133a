import { provideBrowserGlobalErrorListeners, provideZonelessChangeDetection } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { AppComponent } from './app/app.component';
import { provideEventHub } from './app/event-hub.service';

bootstrapApplication(AppComponent, {
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideZonelessChangeDetection(),
    provideEventHub({
      url: '/eventbus',
      // Behind Apache the PHPSESSID cookie carries the login; against a bare hub with its embedded demo
      // login, /app/?session=demo-session-0123456789abcdef does, as on the hub's own demo page.
      session: new URLSearchParams(location.search).get('session'),
    }),
  ],
}).catch((err) => console.error(err));
