// The persistent queue: everything the extension saw and must tell AUTO (orders, buyer
// messages, confirmations) is stored here first (chrome.storage.local, so it survives a browser
// restart) and removed only when AUTO accepted it. When AUTO is unreachable the queue waits with
// exponential backoff (1 s, 2 s, 4 s ... 30 s); a revoked token stops it until pairing again;
// an item AUTO refuses (422) is set aside with its error, counted, never retried blindly.

import type { OrderInput } from "./contract"
import { Mutex, type KV } from "./store"

export type QueueKind = "orders" | "message" | "confirm"

export interface QueueItem {
  id: string
  kind: QueueKind
  method: string
  path: string
  body?: unknown
  /** How many things it carries (orders in a batch), for the popup's count. */
  count: number
  at: number
  attempts: number
}

export interface FailedItem {
  kind: QueueKind
  path: string
  count: number
  error: string
  at: number
}

/** "ok": accepted; {drop}: refused for good (kept aside with the reason); "retry": later; "halt": stop. */
export type SendResult = "ok" | "retry" | "halt" | { drop: string }

export const BACKOFF_BASE_MS = 1000
export const BACKOFF_MAX_MS = 30_000
export const MAX_BATCH = 200
const MAX_FAILED_KEPT = 200

export function backoffDelay(failures: number, random = Math.random): number {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, failures - 1))
  return Math.round(base * (0.8 + 0.4 * random()))
}

interface Backoff {
  failures: number
  nextAt: number
}

export class Queue {
  private mutex = new Mutex()
  private inFlight: string | undefined
  private flushing: Promise<FlushOutcome> | undefined
  private seq = 0

  constructor(
    private store: KV,
    private now: () => number = Date.now
  ) {}

  private async items(): Promise<QueueItem[]> {
    return (await this.store.get<QueueItem[]>("queue")) ?? []
  }

  async size(): Promise<number> {
    return (await this.items()).reduce((s, i) => s + i.count, 0)
  }

  async failed(): Promise<FailedItem[]> {
    return (await this.store.get<FailedItem[]>("queueFailed")) ?? []
  }

  async backoff(): Promise<Backoff> {
    return (await this.store.get<Backoff>("queueBackoff")) ?? { failures: 0, nextAt: 0 }
  }

  /** Adds orders, merged into the last waiting batch (same order replaced) when there is room. */
  async pushOrders(orders: OrderInput[]): Promise<void> {
    if (!orders.length) return
    await this.mutex.run(async () => {
      const q = await this.items()
      const last = q[q.length - 1]
      if (last && last.kind === "orders" && last.id !== this.inFlight && last.count + orders.length <= MAX_BATCH) {
        const list = (last.body as { orders: OrderInput[] }).orders
        for (const o of orders) {
          const i = list.findIndex((x) => x.shop === o.shop && x.order_sn === o.order_sn)
          if (i >= 0) list[i] = o
          else list.push(o)
        }
        last.count = list.length
      } else {
        for (let i = 0; i < orders.length; i += MAX_BATCH) {
          const part = orders.slice(i, i + MAX_BATCH)
          q.push(this.item("orders", "POST", "/orders", { orders: part }, part.length))
        }
      }
      await this.store.set({ queue: q })
    })
  }

  async push(kind: QueueKind, method: string, path: string, body?: unknown): Promise<void> {
    await this.mutex.run(async () => {
      const q = await this.items()
      if (kind === "confirm" && q.some((i) => i.kind === "confirm" && i.path === path)) return
      q.push(this.item(kind, method, path, body, 1))
      await this.store.set({ queue: q })
    })
  }

  private item(kind: QueueKind, method: string, path: string, body: unknown, count: number): QueueItem {
    return { id: `${this.now().toString(36)}-${(this.seq++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`, kind, method, path, body, count, at: this.now(), attempts: 0 }
  }

  /** Forgets the backoff so the next flush tries at once (the app came back, or the user asked). */
  async resetBackoff(): Promise<void> {
    await this.mutex.run(() => this.store.set({ queueBackoff: { failures: 0, nextAt: 0 } }))
  }

  /**
   * Sends waiting items in order, one at a time, until the queue is empty, an item must be
   * retried later (backoff), or sending must halt (token revoked). One flush at a time.
   */
  flush(send: (item: QueueItem) => Promise<SendResult>): Promise<FlushOutcome> {
    if (!this.flushing) {
      this.flushing = this.doFlush(send).finally(() => {
        this.flushing = undefined
      })
    }
    return this.flushing
  }

  private async doFlush(send: (item: QueueItem) => Promise<SendResult>): Promise<FlushOutcome> {
    const b = await this.backoff()
    if (b.nextAt > this.now()) return { state: "waiting", retryAt: b.nextAt }
    for (;;) {
      const item = await this.mutex.run(async () => {
        const first = (await this.items())[0]
        this.inFlight = first?.id
        return first
      })
      if (!item) return { state: "empty" }
      let r: SendResult
      try {
        r = await send(item)
      } catch {
        r = "retry"
      }
      const outcome = await this.mutex.run(async (): Promise<FlushOutcome | undefined> => {
        this.inFlight = undefined
        const q = await this.items()
        const idx = q.findIndex((i) => i.id === item.id)
        if (r === "ok" || typeof r === "object") {
          if (idx >= 0) q.splice(idx, 1)
          const values: Record<string, unknown> = { queue: q, queueBackoff: { failures: 0, nextAt: 0 } }
          if (typeof r === "object") {
            const failed = await this.failed()
            failed.push({ kind: item.kind, path: item.path, count: item.count, error: r.drop.slice(0, 300), at: this.now() })
            values.queueFailed = failed.slice(-MAX_FAILED_KEPT)
          }
          await this.store.set(values)
          return undefined
        }
        if (idx >= 0) q[idx].attempts++
        if (r === "halt") {
          await this.store.set({ queue: q })
          return { state: "halted" }
        }
        const prev = await this.backoff()
        const failures = prev.failures + 1
        const retryAt = this.now() + backoffDelay(failures)
        await this.store.set({ queue: q, queueBackoff: { failures, nextAt: retryAt } })
        return { state: "waiting", retryAt }
      })
      if (outcome) return outcome
    }
  }
}

export type FlushOutcome = { state: "empty" } | { state: "waiting"; retryAt: number } | { state: "halted" }
