// When an order report was read. A report can wait in the queue for hours (AUTO closed, the
// computer asleep) and Shopee may cancel the order meanwhile: AUTO must be able to tell that
// this "paid" was read before the cancellation, or it would reopen the order and deliver keys
// to a buyer whose order Shopee cancelled. So each report carries the time its page was read,
// set once at reading, never at sending.

import type { OrderInput } from "./contract"

/** The orders of one reading, each with the time it was read (`now`, ms). */
export function stampSeen(orders: OrderInput[], now: number = Date.now()): OrderInput[] {
  const at = new Date(now).toISOString()
  return orders.map((o) => ({ ...o, seen_at: at }))
}

/**
 * What the reading says about the order, without when it was read: the same page read twice is
 * one report (the second is not queued again), whatever the clock said.
 */
export function reading(o: OrderInput): string {
  const { seen_at: _, ...said } = o
  return JSON.stringify(said)
}
