// Adapter: orders named as Shopee Open Platform v2 names them (get_order_list / get_order_detail:
// order_sn, order_status, buyer_user_id, item_list[] with model_quantity_purchased ...). Seller
// Centre's own pages do not answer in these names as far as public code shows (see README,
// "Fixtures"), but a page that does costs nothing to read. Tolerates numbers as strings, missing
// fields and unicode names; an order it cannot read completely is skipped and counted.

import type { LineInput, OrderInput } from "../contract"
import { intId, isObj, isoTime, num, pick, str, type Obj } from "../util"
import { findRecords } from "./find"
import { currencyOf, emptyRead, idText, line, SN, shopOf, statusToReport, type OrderContext, type OrdersRead } from "./order-read"

export type { OrderContext, OrdersRead } from "./order-read"

/** An Open Platform order: order_sn with order_status or item_list (not Seller Centre's order_items). */
export function isOrderRecord(o: Obj): boolean {
  return (
    (typeof o.order_sn === "string" || typeof o.order_sn === "number") &&
    (o.order_status !== undefined || Array.isArray(o.item_list)) &&
    o.order_items === undefined &&
    o.card_header === undefined
  )
}

export function readOrdersJson(body: unknown, ctx: OrderContext): OrdersRead {
  const records = findRecords(body, isOrderRecord)
  const out = emptyRead()
  out.recognized = records.length > 0
  for (const r of records) {
    const o = readOrder(r, ctx)
    if (o) {
      out.orders.push(o)
      if (!out.shop && idText(r.shop_id)) out.shop = idText(r.shop_id)
    } else {
      out.skipped++
      out.problems.push("an Open Platform order without a status, lines or currency")
    }
  }
  return out
}

function readOrder(r: Obj, ctx: OrderContext): OrderInput | undefined {
  const order_sn = str(r.order_sn, 64)
  if (!SN.test(order_sn)) return undefined
  const raw = pick(r, "order_status", "status")
  const status = typeof raw === "string" ? statusToReport(raw.toUpperCase()) : undefined
  if (!status || !/^[A-Z_]{3,40}$/.test(status)) return undefined
  const shop = shopOf(r.shop_id, undefined, ctx) ?? ctx.host
  const buyerObj = isObj(r.buyer_user) ? r.buyer_user : {}
  const username = str(pick(r, "buyer_username") ?? pick(buyerObj, "user_name", "username"), 100)
  const user_id = intId(pick(r, "buyer_user_id") ?? pick(buyerObj, "user_id"))
  const rawLines = pick(r, "item_list", "items")
  if (!Array.isArray(rawLines) || rawLines.length === 0) return undefined
  const lines: LineInput[] = []
  for (const l of rawLines) {
    if (!isObj(l)) return undefined
    const qRaw = pick(l, "model_quantity_purchased", "quantity", "amount")
    const quantity = qRaw === undefined ? 1 : intId(qRaw)
    const price = num(pick(l, "model_discounted_price", "model_original_price", "item_price", "price"))
    const x = line(intId(l.item_id), intId(l.model_id), str(l.model_sku, 100) || str(l.item_sku, 100), quantity ?? 0, price !== undefined && price >= 0 ? price : 0)
    if (!x) return undefined
    lines.push(x)
  }
  const currency = currencyOf(r.currency, r.region, ctx)
  if (!currency) return undefined
  const order: OrderInput = { shop, order_sn, status, buyer: { username }, lines, currency }
  if (user_id !== undefined) order.buyer.user_id = user_id
  const total = num(pick(r, "total_amount", "total_price"))
  if (total !== undefined && total >= 0) order.total = total
  const created = isoTime(pick(r, "create_time", "created_at"))
  if (created) order.created_at = created
  const paid = isoTime(pick(r, "pay_time", "paid_at"))
  if (paid) order.paid_at = paid
  // Documented on get_order_detail (fixtures/open-platform.ts names the sources).
  const updated = isoTime(pick(r, "update_time"))
  if (updated) order.shopee_updated_at = updated
  return order
}
