// The API key lives in VS Code's SecretStorage (the OS keychain on a desktop) and nowhere else:
// never in settings, never in a log. The server gets it through a request and keeps it in memory.
import * as vscode from 'vscode';

const SECRET_KEY = 'stepcritic.apiKey';

export class ApiKeyStore implements vscode.Disposable {
  private cached: string | undefined;
  private readonly changed = new vscode.EventEmitter<string | undefined>();
  private readonly subscription: vscode.Disposable;
  /** Fires with the new key (undefined when forgotten), also when another window changed it. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly secrets: vscode.SecretStorage) {
    this.subscription = secrets.onDidChange(async (e) => {
      if (e.key !== SECRET_KEY) return;
      this.cached = await secrets.get(SECRET_KEY);
      this.changed.fire(this.cached);
    });
  }

  /** Reads the stored key once; afterwards `current` answers without waiting. */
  async load(): Promise<string | undefined> {
    this.cached = await this.secrets.get(SECRET_KEY);
    return this.cached;
  }

  get current(): string | undefined {
    return this.cached;
  }

  async store(key: string): Promise<void> {
    this.cached = key;
    await this.secrets.store(SECRET_KEY, key);
  }

  async forget(): Promise<void> {
    this.cached = undefined;
    await this.secrets.delete(SECRET_KEY);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** Hides all but the last four characters, for messages. */
export function maskKey(key: string): string {
  return key.length <= 8 ? '••••' : `••••${key.slice(-4)}`;
}
