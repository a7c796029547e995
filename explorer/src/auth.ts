/**
 * The key or token of this tab: entered once, kept in sessionStorage (so it lives as long as the
 * tab and is never shared with other tabs or written to disk by us), sent as a Bearer token on
 * HTTP and in `connection_init` on the WebSocket.
 */
import { $, el } from './dom';

const STORAGE_KEY = 'twin-explorer.token';

export class Credentials {
  private listeners = new Set<() => void>();

  token(): string | null {
    try {
      return sessionStorage.getItem(STORAGE_KEY);
    } catch {
      return null;
    }
  }

  set(token: string | null): void {
    if (token) sessionStorage.setItem(STORAGE_KEY, token);
    else sessionStorage.removeItem(STORAGE_KEY);
    for (const l of this.listeners) l();
  }

  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }
}

/**
 * The sign-in dialog. Concurrent requests that were refused share one prompt; it resolves when
 * the user has entered a key or token (which the caller then tries).
 */
export class SignIn {
  private pending: Promise<void> | undefined;
  private readonly dialog = $<HTMLDialogElement>('#signin');
  private readonly input = $<HTMLInputElement>('#signin-token');
  private readonly reason = $('#signin-reason');

  constructor(private readonly credentials: Credentials) {
    $('#signout').addEventListener('click', () => {
      credentials.set(null);
      location.reload();
    });
    credentials.onChange(() => this.showState());
    this.showState();
    // Escape would close the dialog with nothing entered; the page needs a key to go on.
    this.dialog.addEventListener('cancel', (e) => e.preventDefault());
  }

  private showState(): void {
    const token = this.credentials.token();
    $('#auth-state').textContent = token ? `Signed in with key …${token.slice(-4)}` : 'No key or token';
    $('#signout').hidden = !token;
  }

  ask(reason: string): Promise<void> {
    if (this.pending) return this.pending;
    this.pending = new Promise<void>((resolve) => {
      this.reason.replaceChildren(el('p', { role: 'alert' }, reason));
      this.input.value = '';
      const form = $<HTMLFormElement>('#signin-form');
      const submit = (e: SubmitEvent) => {
        e.preventDefault();
        const token = this.input.value.trim().replace(/^Bearer\s+/i, '');
        if (!token) return;
        form.removeEventListener('submit', submit);
        this.credentials.set(token);
        this.dialog.close();
        this.pending = undefined;
        resolve();
      };
      form.addEventListener('submit', submit);
      if (!this.dialog.open) this.dialog.showModal();
      this.input.focus();
    });
    return this.pending;
  }
}
