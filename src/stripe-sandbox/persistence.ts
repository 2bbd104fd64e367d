import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SandboxState, SerializedState } from './state';

const DEBOUNCE_MS = 150;

/**
 * Keeps the sandbox's state in a JSON file so `npm start` keeps its PaymentIntents, accounts
 * and events across restarts. Writes are debounced and atomic (temp file + rename), so a crash
 * mid-write leaves the previous file intact.
 */
export class StateFile {
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;

  constructor(
    private readonly path: string,
    private readonly state: SandboxState,
    private readonly log: (line: string) => void,
  ) {}

  /** Loads the file if it exists; an unreadable file is moved aside rather than blocking start-up. */
  load(): void {
    if (!existsSync(this.path)) return;
    try {
      this.state.restore(JSON.parse(readFileSync(this.path, 'utf8')) as SerializedState);
    } catch (error) {
      const aside = `${this.path}.unreadable-${Date.now()}`;
      renameSync(this.path, aside);
      this.log(`Stripe sandbox: could not read ${this.path} (${String(error)}); moved it to ${aside} and started empty`);
    }
  }

  scheduleSave(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.saveNow();
    }, DEBOUNCE_MS);
    this.timer.unref();
  }

  saveNow(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (!this.dirty) return;
    this.dirty = false;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      const temp = `${this.path}.tmp-${process.pid}`;
      writeFileSync(temp, JSON.stringify(this.state.toJSON()));
      renameSync(temp, this.path);
    } catch (error) {
      this.log(`Stripe sandbox: could not write ${this.path}: ${String(error)}`);
    }
  }
}
