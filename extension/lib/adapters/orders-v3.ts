// Adapter: Seller Centre's older order list (GET /api/v3/order/get_order_list → {code, data:
// {meta, orders: [...]}}) and one order's detail (GET /api/v3/order/get_one_order?order_id= →
// {code, data: order}), which share the per-order shape: order_id (internal), order_sn, shop_id,
// a NUMERIC status, create_time, currency, total_price as a string, buyer_user {user_id,
// user_name}, order_items [{item_id, model_id, amount, order_price (string), item_price,
// product {name, sku}, item_model {name, sku}}].
//
// Sources: deegoll/copiloto docs/canais/mapa-pedidos-shopee.md (get_one_order: order_items[]
// {order_price, item_model{sku}, product{sku}, amount}); public scripts reading the same fields
// (buyer_user.user_name, order_items[].item_model.sku, Number(order_price) * amount) in the
// code index; public PHP code reads the older list as data.orders[] with order_sn, shop_id,
// order_items[] {amount, item_model {name}, product {...}} (code index, repository not named by
// it); `meta` is inferred (issue 14). No public source says
// which numeric status means paid, so none is mapped: such an order is reported with the number
// as its status, kept unpaid by the engine, and completed from a card's status text when one
// comes (see contents/seller.ts).

import type { LineInput, OrderInput } from "../contract"
import { readMoney } from "../money"
import { intId, isObj, isoTime, pick, str, type Obj } from "../util"
import { findRecords } from "./find"
import { currencyOf, emptyRead, flagged, idText, line, SN, shopOf, statusToReport, type OrderContext, type OrdersRead } from "./order-read"

/** A Seller Centre order record: order_sn with order_items or buyer_user. */
export function isV3Order(o: Obj): boolean {
  return (typeof o.order_sn === "string" || typeof o.order_sn === "number") && (Array.isArray(o.order_items) || isObj(o.buyer_user))
}

export function readOrdersV3(body: unknown, ctx: OrderContext): OrdersRead {
  const out = emptyRead()
  const records = findRecords(body, isV3Order)
  out.recognized = records.length > 0
  for (const r of records) {
    const read = readV3Order(r, ctx)
    if (typeof read === "string") {
      out.skipped++
      out.problems.push(read)
      continue
    }
    out.orders.push(read)
    const oid = idText(r.order_id)
    if (oid) out.orderIds.set(read.order_sn, oid)
    if (!out.shop && idText(r.shop_id)) out.shop = idText(r.shop_id)
  }
  return out
}

/** The lines of a v3 order with their raw prices (the money is decided over the whole order). */
export function v3Lines(r: Obj): Array<{ line: LineInput; price: unknown }> | string {
  if (!Array.isArray(r.order_items) || r.order_items.length === 0) return "an order without order_items"
  const out: Array<{ line: LineInput; price: unknown }> = []
  for (const it of r.order_items) {
    if (!isObj(it)) return "an order item that is not an object"
    const model = isObj(it.item_model) ? it.item_model : {}
    const product = isObj(it.product) ? it.product : {}
    const quantity = intId(pick(it, "amount", "quantity")) ?? 0
    const l = line(intId(it.item_id), intId(it.model_id), str(model.sku, 100) || str(product.sku, 100), quantity, undefined)
    if (!l) return "an order item without item_id/SKU or quantity"
    out.push({ line: l, price: pick(it, "order_price", "item_price") })
  }
  return out
}

function readV3Order(r: Obj, ctx: OrderContext): OrderInput | string {
  const order_sn = str(r.order_sn, 64)
  if (!SN.test(order_sn)) return "an order without a valid order_sn"
  const status = statusToReport(r.status)
  if (!status) return "an order without a status"
  const lines = v3Lines(r)
  if (typeof lines === "string") return lines
  const currency = currencyOf(r.currency, r.region, ctx)
  if (!currency) return "an order without a currency"
  const shop = shopOf(r.shop_id, idText(r.order_id), ctx) ?? ctx.host
  const buyer = isObj(r.buyer_user) ? r.buyer_user : {}
  const money = readMoney(pick(r, "total_price", "buyer_paid_amount"), lines.map((l) => ({ price: l.price, quantity: l.line.quantity })), currency)
  const order: OrderInput = {
    shop,
    order_sn,
    status: money.conflict ? flagged(status, money.conflict) : status,
    buyer: { username: str(pick(buyer, "user_name", "username"), 100) },
    lines: lines.map((l, i) => ({ ...l.line, unit_price: money.prices[i] ?? 0 })),
    currency
  }
  const uid = intId(buyer.user_id)
  if (uid !== undefined && uid > 0) order.buyer.user_id = uid
  if (money.total !== undefined) order.total = money.total
  const created = isoTime(r.create_time)
  if (created) order.created_at = created
  return order
}
