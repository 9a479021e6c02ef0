// A card that lacked item ids or the buyer's id, completed with its get_one_order detail: the
// card says the status (localized text, mapped), the detail says the lines with SKUs and prices
// and the buyer. The card's total is read at the scale the detail's prices agree with.

import type { OrderInput } from "../contract"
import { readMoney } from "../money"
import { flagged, type IncompleteOrder } from "./order-read"

export function mergeCardWithDetail(card: IncompleteOrder, detail: OrderInput): OrderInput {
  const p = card.partial
  const lines = detail.lines.length ? detail.lines : p.lines
  const money = readMoney(
    card.rawTotal ?? detail.total,
    lines.map((l) => ({ price: l.unit_price || undefined, quantity: l.quantity })),
    p.currency
  )
  const out: OrderInput = {
    // The detail names its shop_id; the card's came from the index or a hint.
    shop: /^\d+$/.test(detail.shop) ? detail.shop : p.shop,
    order_sn: p.order_sn,
    status: money.conflict ? flagged(p.status, money.conflict) : p.status,
    buyer: { username: p.buyer.username || detail.buyer.username },
    lines,
    currency: p.currency
  }
  const uid = p.buyer.user_id ?? detail.buyer.user_id
  if (uid !== undefined) out.buyer.user_id = uid
  const total = money.total ?? detail.total
  if (total !== undefined) out.total = total
  if (detail.created_at) out.created_at = detail.created_at
  return out
}
