// Every order shape the extension reads, tried on one captured response: the card list and its
// index, the older list / one order's detail, and Open Platform names. A response is read by the
// first adapter that recognises it; each adapter finds its records anywhere in the response, so a
// new wrapper around them does not break it.

import { isObj } from "../util"
import { emptyRead, type OrderContext, type OrdersRead } from "./order-read"
import { readIndex, readOrderCards } from "./orders-cards"
import { readOrdersJson } from "./orders-json"
import { readOrdersV3 } from "./orders-v3"

export type { OrderContext, OrdersRead } from "./order-read"

export function readOrders(body: unknown, ctx: OrderContext): OrdersRead {
  const shops = readIndex(body)
  // What the index says is known before the cards of the same page are read.
  const known = new Map(shops)
  const withIndex: OrderContext = { ...ctx, shopOfOrder: (id) => known.get(id) ?? ctx.shopOfOrder?.(id) }
  for (const read of [readOrderCards, readOrdersV3, readOrdersJson]) {
    const r = read(body, withIndex)
    if (r.recognized) return { ...r, shops }
  }
  return { ...emptyRead(), shops, recognized: shops.length > 0 || emptyList(body) }
}

/** An order list with nothing in it (a tab with no orders) is a readable answer. */
function emptyList(body: unknown): boolean {
  const data = isObj(body) && isObj(body.data) ? body.data : undefined
  return !!data && ["orders", "order_list", "card_list", "index_list"].some((k) => Array.isArray(data[k]) && (data[k] as unknown[]).length === 0)
}
