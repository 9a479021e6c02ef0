import { describe, expect, it } from "vitest"

import type { OrderInput } from "../lib/contract"
import { BACKOFF_MAX_MS, backoffDelay, Queue, type QueueItem, type SendResult } from "../lib/queue"
import { memoryStore } from "../lib/store"

const order = (sn: string, status = "READY_TO_SHIP"): OrderInput => ({ shop: "1", order_sn: sn, status, buyer: { username: "b" }, lines: [{ item_id: 1, quantity: 1, unit_price: 1 }], currency: "IDR" })

describe("persistent queue", () => {
  it("merges orders into one batch, replacing a re-sent order", async () => {
    const q = new Queue(memoryStore())
    await q.pushOrders([order("A"), order("B")])
    await q.pushOrders([order("B", "COMPLETED"), order("C")])
    expect(await q.size()).toBe(3)
    const sent: QueueItem[] = []
    expect(await q.flush(async (i) => (sent.push(i), "ok"))).toEqual({ state: "empty" })
    expect(sent).toHaveLength(1)
    expect((sent[0].body as { orders: OrderInput[] }).orders.map((o) => [o.order_sn, o.status])).toEqual([
      ["A", "READY_TO_SHIP"],
      ["B", "COMPLETED"],
      ["C", "READY_TO_SHIP"]
    ])
  })

  it("keeps everything while AUTO is away, backs off, and survives a restart", async () => {
    let t = 1_000_000
    const store = memoryStore()
    const q = new Queue(store, () => t)
    await q.pushOrders([order("A")])
    await q.push("message", "POST", "/messages", { text: "kak?" })
    await q.push("confirm", "POST", "/deliveries/7/confirm")
    await q.push("confirm", "POST", "/deliveries/7/confirm") // the same confirmation once
    const offline = async (): Promise<SendResult> => "retry"
    const r1 = await q.flush(offline)
    expect(r1.state).toBe("waiting")
    const first = (r1 as { retryAt: number }).retryAt - t
    expect(first).toBeGreaterThanOrEqual(800)
    expect(first).toBeLessThanOrEqual(1200)
    // Before the retry time nothing is tried.
    let tried = 0
    expect((await q.flush(async () => (tried++, "ok"))).state).toBe("waiting")
    expect(tried).toBe(0)
    t += 1500
    const r2 = await q.flush(offline)
    expect((r2 as { retryAt: number }).retryAt - t).toBeGreaterThanOrEqual(1600)
    // The browser restarts: a new queue on the same storage has everything.
    const q2 = new Queue(store, () => t)
    expect(await q2.size()).toBe(3)
    t += 60_000
    const order_: string[] = []
    expect(await q2.flush(async (i) => (order_.push(i.path), "ok"))).toEqual({ state: "empty" })
    expect(order_).toEqual(["/orders", "/messages", "/deliveries/7/confirm"])
    expect(await q2.size()).toBe(0)
  })

  it("halts on a revoked token without losing the item", async () => {
    const q = new Queue(memoryStore())
    await q.push("message", "POST", "/messages", {})
    expect(await q.flush(async () => "halt")).toEqual({ state: "halted" })
    expect(await q.size()).toBe(1)
  })

  it("sets aside what AUTO refuses, with the reason, and goes on", async () => {
    const q = new Queue(memoryStore())
    await q.push("message", "POST", "/messages", { bad: true })
    await q.push("message", "POST", "/messages", { good: true })
    const seen: unknown[] = []
    await q.flush(async (i) => {
      seen.push(i.body)
      return (i.body as { bad?: boolean }).bad ? { drop: "422 invalid_input text is empty" } : "ok"
    })
    expect(seen).toHaveLength(2)
    expect(await q.size()).toBe(0)
    expect(await q.failed()).toMatchObject([{ kind: "message", error: "422 invalid_input text is empty" }])
  })

  it("backs off exponentially up to a cap", () => {
    const mid = () => 0.5
    expect([1, 2, 3, 4, 5, 6, 10].map((n) => backoffDelay(n, mid))).toEqual([1000, 2000, 4000, 8000, 16000, BACKOFF_MAX_MS, BACKOFF_MAX_MS])
  })
})
