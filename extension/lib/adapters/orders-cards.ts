// Adapter: Seller Centre's current order list, two calls. POST
// /api/v3/order/search_order_list_index → data.index_list[{order_id, shop_id, region_id}] (which
// shop each order is), then POST /api/v3/order/get_order_list_card_list (five orders a call) →
// data.card_list[], each {order_card} or {package_level_order_card: {package_list[]}} with
// card_header {order_sn, buyer_info {username}}, item_info_group.item_info_list[].item_list[]
// {name, description, amount, inner_item_ext_info {item_id, model_id}}, payment_info {currency,
// total_price}, status_info {status (localized text)}, order_ext_info {order_id, buyer_user_id}.
//
// Source: deegoll/copiloto docs/canais/mapa-pedidos-shopee.md and its anonymized live capture
// tests/copiloto/fixtures/shopee_pedidos_lista_2026-10-08.json (Brazil): currency came as a
// NUMBER (6), total_price × 100000, a package-level card repeats payment and status per package,
// and the SKUs are in the description's brackets ("Variação: 60K [STEAM STEAM60]"). Cards carry
// no shop id and no unit price.

import type { LineInput, OrderInput } from "../contract"
import { readMoney } from "../money"
import { intId, isObj, objectArrays, str, type Obj } from "../util"
import { currencyOf, emptyRead, flagged, idText, line, SN, shopOf, statusToReport, type OrderContext, type OrdersRead } from "./order-read"

/** order_id → shop_id from a search_order_list_index response. */
export function readIndex(body: unknown): Array<[string, string]> {
  const out: Array<[string, string]> = []
  for (const arr of objectArrays(body, 3)) {
    for (const o of arr) {
      const oid = idText(o.order_id)
      const shop = idText(o.shop_id)
      if (oid && shop && (o.region_id !== undefined || Object.keys(o).length <= 4)) out.push([oid, shop])
    }
  }
  return out
}

/** Each card_list entry's order-level card and its packages (one for an order_card). */
function cardsOf(body: unknown): Array<{ card: Obj; packages: Obj[] }> | undefined {
  const data = isObj(body) && isObj(body.data) ? body.data : isObj(body) ? body : {}
  if (!Array.isArray(data.card_list)) return undefined
  const out: Array<{ card: Obj; packages: Obj[] }> = []
  for (const entry of data.card_list) {
    if (!isObj(entry)) continue
    // package_card: a public Indonesian client reads `x.package_card || x.order_card` (code index).
    const single = isObj(entry.order_card) ? entry.order_card : isObj(entry.package_card) ? entry.package_card : undefined
    if (single) out.push({ card: single, packages: [single] })
    else if (isObj(entry.package_level_order_card)) {
      const card = entry.package_level_order_card
      out.push({ card, packages: Array.isArray(card.package_list) ? card.package_list.filter(isObj) : [] })
    } else out.push({ card: entry, packages: [] })
  }
  return out
}

/** "Variação: 60K [STEAM STEAM60]" → "STEAM60" (the bracket's last token is the variation's SKU). */
export function skuOfDescription(d: unknown): string {
  const m = str(d, 300).match(/\[([^\]]+)\]\s*$/)
  const tokens = m ? m[1].trim().split(/\s+/) : []
  return tokens.length ? str(tokens[tokens.length - 1], 100) : ""
}

function itemsOf(pkg: Obj): Obj[] {
  const group = isObj(pkg.item_info_group) ? pkg.item_info_group : {}
  const infos = Array.isArray(group.item_info_list) ? group.item_info_list.filter(isObj) : []
  return infos.flatMap((i) => (Array.isArray(i.item_list) ? i.item_list.filter(isObj) : []))
}

export function readOrderCards(body: unknown, ctx: OrderContext): OrdersRead {
  const out = emptyRead()
  const cards = cardsOf(body)
  if (!cards) return out
  out.recognized = true
  for (const { card, packages } of cards) {
    const r = readCard(card, packages, ctx)
    if (typeof r === "string") {
      out.skipped++
      out.problems.push(r)
    } else if (r.complete) {
      out.orders.push(r.order)
      if (r.orderId) out.orderIds.set(r.order.order_sn, r.orderId)
    } else if (r.orderId) {
      out.incomplete.push({ order_id: r.orderId, partial: r.order, rawTotal: r.rawTotal })
    } else {
      out.skipped++
      out.problems.push("a card without item ids or buyer id, and no order_id to ask for them")
    }
  }
  return out
}

function readCard(card: Obj, packages: Obj[], ctx: OrderContext): { order: OrderInput; orderId?: string; complete: boolean; rawTotal?: unknown } | string {
  const header = isObj(card.card_header) ? card.card_header : {}
  const order_sn = str(header.order_sn, 64)
  if (!SN.test(order_sn)) return "a card without card_header.order_sn"
  if (!packages.length) return "a card without order_card or package_list"
  const ext = isObj(card.order_ext_info) ? card.order_ext_info : {}
  const orderId = idText(ext.order_id) || undefined
  // Statuses per package: one order, one payment, so they agree; if not, the texts are kept.
  const texts = [...new Set(packages.map((p) => str(isObj(p.status_info) ? p.status_info.status : undefined, 60)).filter(Boolean))]
  if (!texts.length) return "a card without status_info.status"
  const mapped = texts.map((t) => statusToReport(t) ?? t)
  const status = new Set(mapped).size === 1 ? mapped[0] : texts.join(" / ").slice(0, 60)
  const pay = packages.map((p) => (isObj(p.payment_info) ? p.payment_info : {}))
  const currency = currencyOf(pay[0]?.currency, undefined, ctx)
  if (!currency) return "a card without a currency this region has"
  // A package-level card repeats the order's payment per package: one total, never a sum.
  const totals = [...new Set(pay.map((p) => String(p.total_price ?? "")))]
  const rawTotal = totals.length === 1 && totals[0] !== "" ? pay[0].total_price : undefined
  let complete = true
  const lines: LineInput[] = []
  for (const it of packages.flatMap(itemsOf)) {
    const inner = isObj(it.inner_item_ext_info) ? it.inner_item_ext_info : {}
    const l = line(intId(inner.item_id), intId(inner.model_id), skuOfDescription(it.description), intId(it.amount) ?? 0, undefined)
    if (l) lines.push(l)
    else complete = false
  }
  if (!lines.length) complete = false
  const buyerInfo = isObj(header.buyer_info) ? header.buyer_info : {}
  const uid = intId(ext.buyer_user_id)
  if (uid === undefined || uid <= 0) complete = false
  const money = readMoney(rawTotal, [], currency)
  const order: OrderInput = {
    shop: shopOf(undefined, orderId, ctx) ?? ctx.host,
    order_sn,
    status: money.conflict ? flagged(status, money.conflict) : status,
    buyer: { username: str(buyerInfo.username, 100) },
    lines,
    currency
  }
  if (uid !== undefined && uid > 0) order.buyer.user_id = uid
  if (money.total !== undefined) order.total = money.total
  return { order, orderId, complete, rawTotal }
}
