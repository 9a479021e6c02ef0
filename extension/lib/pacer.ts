// Seller Centre's own pace for the extra calls the extension makes from the page (an order's
// details, opening a chat): one at a time, a gap between starts, each key once while queued —
// so a flash sale of 200 cards never turns into a burst of 200 requests.

export interface Clock {
  now(): number
  sleep(ms: number): Promise<void>
}

export const realClock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) }

export class Pacer {
  private queue: Array<{ key: string; run: () => Promise<void> }> = []
  private queued = new Set<string>()
  private lastStart = Number.NEGATIVE_INFINITY
  private running = false

  constructor(
    private gapMs: number,
    private maxQueued = 100,
    private clock: Clock = realClock
  ) {}

  /** Queues `run` under `key`; false when that key already waits or the queue is full. */
  add(key: string, run: () => Promise<void>): boolean {
    if (this.queued.has(key) || this.queue.length >= this.maxQueued) return false
    this.queued.add(key)
    this.queue.push({ key, run })
    void this.drain()
    return true
  }

  get size(): number {
    return this.queue.length
  }

  private async drain(): Promise<void> {
    if (this.running) return
    this.running = true
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) {
        const wait = this.lastStart + this.gapMs - this.clock.now()
        if (wait > 0) await this.clock.sleep(wait)
        this.lastStart = this.clock.now()
        try {
          await next.run()
        } catch {
          /* one failed call does not stop the others */
        }
        this.queued.delete(next.key)
      }
    } finally {
      this.running = false
    }
  }
}
