import { describe, expect, it } from "vitest"

import { readOrdersJson } from "../lib/adapters/orders-json"
import type { OrderInput } from "../lib/contract"
import { Queue, type QueueItem } from "../lib/queue"
import { reading, stampSeen } from "../lib/seen"
import { memoryStore } from "../lib/store"

const order = (sn: string, status = "READY_TO_SHIP"): OrderInput => ({ shop: "1", order_sn: sn, status, buyer: { username: "b" }, lines: [{ item_id: 1, quantity: 1, unit_price: 1 }], currency: "IDR" })

const READ_AT = Date.parse("2026-12-06T10:02:00.000Z")

async function sentOrders(q: Queue): Promise<OrderInput[]> {
  const sent: QueueItem[] = []
  await q.flush(async (i) => (sent.push(i), "ok"))
  return sent.flatMap((i) => (i.body as { orders: OrderInput[] }).orders)
}

describe("when an order report was read", () => {
  it("is stamped at reading, as the engine reads times, without changing what was read", () => {
    const read = [order("A"), order("B", "IN_CANCEL")]
    const stamped = stampSeen(read, READ_AT)
    expect(stamped.map((o) => o.seen_at)).toEqual(["2026-12-06T10:02:00.000Z", "2026-12-06T10:02:00.000Z"])
    expect(stamped.map((o) => ({ ...o, seen_at: undefined }))).toEqual(read.map((o) => ({ ...o, seen_at: undefined })))
    expect(read[0].seen_at).toBeUndefined()
  })

  it("keeps the time it was read through the queue, across a restart and an offline wait", async () => {
    let t = READ_AT
    const store = memoryStore()
    await new Queue(store, () => t).pushOrders(stampSeen([order("A")], READ_AT))
    // AUTO was away for hours; the browser restarted (a new queue over the same storage).
    t = READ_AT + 6 * 3600_000
    const after = new Queue(store, () => t)
    await after.pushOrders(stampSeen([order("B")], t))
    const sent = await sentOrders(after)
    expect(sent.map((o) => [o.order_sn, o.seen_at])).toEqual([
      ["A", "2026-12-06T10:02:00.000Z"],
      ["B", "2026-12-06T16:02:00.000Z"]
    ])
  })

  it("a newer reading of the same order replaces the waiting one with its own time", async () => {
    const q = new Queue(memoryStore())
    await q.pushOrders(stampSeen([order("A")], READ_AT))
    await q.pushOrders(stampSeen([order("A", "IN_CANCEL")], READ_AT + 60_000))
    const sent = await sentOrders(q)
    expect(sent.map((o) => [o.status, o.seen_at])).toEqual([["IN_CANCEL", "2026-12-06T10:03:00.000Z"]])
  })

  it("the same page read again is the same report; a changed one is not", () => {
    const first = stampSeen([order("A")], READ_AT)[0]
    const again = stampSeen([order("A")], READ_AT + 60_000)[0]
    expect(reading(again)).toBe(reading(first))
    expect(reading(stampSeen([order("A", "IN_CANCEL")], READ_AT)[0])).not.toBe(reading(first))
  })

  it("Shopee's own update time, when a page shows it, is kept apart from the reading time", () => {
    const body = { order_list: [{ order_sn: "2412060AB1CD2E", shop_id: 880011223, order_status: "READY_TO_SHIP", currency: "IDR", update_time: 1733450100, item_list: [{ item_id: 1, model_quantity_purchased: 1, model_discounted_price: 1000 }] }] }
    const o = readOrdersJson(body, { host: "seller.shopee.co.id" }).orders[0]
    expect(o.shopee_updated_at).toBe("2024-12-06T01:55:00.000Z")
    expect(o.seen_at).toBeUndefined()
    expect(stampSeen([o], READ_AT)[0]).toMatchObject({ shopee_updated_at: "2024-12-06T01:55:00.000Z", seen_at: "2026-12-06T10:02:00.000Z" })
  })
})
