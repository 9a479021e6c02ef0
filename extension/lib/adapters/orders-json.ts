// Adapter: Seller Centre's order JSON (order list and order detail responses) → the engine's
// order contract. The field names are those of fixtures/seller-centre.ts (orderJson); when
// Shopee renames a field, this file is the fix. Tolerates numbers as strings, missing fields and
// unicode names; an order it cannot read completely is skipped and counted, never guessed.

import type { LineInput, OrderInput } from "../contract"
import { currencyOfCountry, KNOWN_CURRENCIES, regionOf } from "../region"
import { intId, isObj, isoTime, num, pick, str, type Obj } from "../util"
import { findRecords } from "./find"

export interface OrderContext {
  /** The page's host (seller.shopee.co.id, ...): the currency when the order does not say. */
  host: string
  /** The shop id learned earlier on this host, for responses that do not carry it. */
  shopHint?: string
}

export interface OrdersRead {
  orders: OrderInput[]
  /** The response had order records (even if none could be read). */
  recognized: boolean
  /** Records that looked like orders but could not be read. */
  skipped: number
  /** The shop id the response names, to remember for the DOM reader and the chat. */
  shop?: string
}

const SN = /^[0-9A-Z]{6,64}$/i

export function isOrderRecord(o: Obj): boolean {
  return typeof o.order_sn === "string" || typeof o.order_sn === "number"
}

export function readOrdersJson(body: unknown, ctx: OrderContext): OrdersRead {
  const records = findRecords(body, isOrderRecord)
  const out: OrdersRead = { orders: [], recognized: records.length > 0, skipped: 0 }
  for (const r of records) {
    const o = readOrder(r, ctx)
    if (o) {
      out.orders.push(o)
      if (!out.shop && r.shop_id !== undefined && str(r.shop_id)) out.shop = str(r.shop_id)
    } else out.skipped++
  }
  return out
}

function readOrder(r: Obj, ctx: OrderContext): OrderInput | undefined {
  const order_sn = str(r.order_sn, 64)
  if (!SN.test(order_sn)) return undefined
  const status = str(pick(r, "order_status", "status"), 40).toUpperCase()
  if (!/^[A-Z_]{3,40}$/.test(status)) return undefined
  const shop = str(r.shop_id, 100) || ctx.shopHint || ctx.host
  const buyerObj = isObj(r.buyer_user) ? r.buyer_user : {}
  const username = str(pick(r, "buyer_username") ?? pick(buyerObj, "user_name", "username"), 100)
  const user_id = intId(pick(r, "buyer_user_id") ?? pick(buyerObj, "user_id"))
  const rawLines = pick(r, "item_list", "order_items", "items")
  if (!Array.isArray(rawLines) || rawLines.length === 0) return undefined
  const lines: LineInput[] = []
  for (const l of rawLines) {
    if (!isObj(l)) return undefined
    const line = readLine(l)
    if (!line) return undefined
    lines.push(line)
  }
  let currency = str(r.currency, 8).toUpperCase()
  if (!KNOWN_CURRENCIES.has(currency)) {
    currency = currencyOfCountry(str(r.region, 4)) ?? regionOf(ctx.host)?.currency ?? ""
  }
  if (!currency) return undefined
  const order: OrderInput = { shop, order_sn, status, buyer: { username }, lines, currency }
  if (user_id !== undefined) order.buyer.user_id = user_id
  const total = num(pick(r, "total_amount", "total_price"))
  if (total !== undefined && total >= 0) order.total = total
  const created = isoTime(pick(r, "create_time", "created_at"))
  if (created) order.created_at = created
  const paid = isoTime(pick(r, "pay_time", "paid_at"))
  if (paid) order.paid_at = paid
  return order
}

function readLine(l: Obj): LineInput | undefined {
  const item_id = intId(l.item_id)
  const model_id = intId(l.model_id)
  const sku = str(l.model_sku, 100) || str(l.item_sku, 100)
  if (item_id === undefined && !sku) return undefined
  const qRaw = pick(l, "model_quantity_purchased", "quantity", "amount")
  const quantity = qRaw === undefined ? 1 : intId(qRaw)
  if (quantity === undefined || quantity < 1 || quantity > 1000) return undefined
  const price = num(pick(l, "model_discounted_price", "model_original_price", "item_price", "price"))
  const line: LineInput = { quantity, unit_price: price !== undefined && price >= 0 ? price : 0 }
  if (sku) line.sku = sku
  if (item_id !== undefined) line.item_id = item_id
  if (model_id !== undefined && model_id > 0) line.model_id = model_id
  return line
}
