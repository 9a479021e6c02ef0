// What every order adapter returns, and the rules they share: which shop an order belongs to,
// its currency, its status, and how an order with unclear money is reported.

import type { LineInput, OrderInput } from "../contract"
import { currencyOfCountry, KNOWN_CURRENCIES, regionOf } from "../region"
import { statusOfText } from "../status-words"
import { str } from "../util"

export interface OrderContext {
  /** The page's host (seller.shopee.co.id, ...): the currency when the order does not say. */
  host: string
  /** The shop id learned earlier on this host, for responses that do not carry it. */
  shopHint?: string
  /** The shop of an internal order_id, learned from search_order_list_index. */
  shopOfOrder?: (orderId: string) => string | undefined
}

/** A card that lacks what a delivery needs (item ids, the buyer's id): its details are fetched. */
export interface IncompleteOrder {
  order_id: string
  /** What the card did say, merged with the details when they come (lines' prices, buyer). */
  partial: OrderInput
  /** The card's total as it came (its scale is decided with the detail's line prices). */
  rawTotal?: unknown
}

export interface OrdersRead {
  orders: OrderInput[]
  /** The response had order records (even if none could be read). */
  recognized: boolean
  /** Records that looked like orders but could not be read. */
  skipped: number
  /** Why, in a few words (kept with the redacted sample). */
  problems: string[]
  /** The shop id the response names, to remember for the DOM reader and the chat. */
  shop?: string
  /** Cards to complete from get_one_order. */
  incomplete: IncompleteOrder[]
  /** order_id → shop_id pairs (search_order_list_index). */
  shops: Array<[string, string]>
  /** order_id of orders read, where the source has it (to merge a card with its details). */
  orderIds: Map<string, string>
}

export function emptyRead(): OrdersRead {
  return { orders: [], recognized: false, skipped: 0, problems: [], incomplete: [], shops: [], orderIds: new Map() }
}

export const SN = /^[0-9A-Z]{6,64}$/i

/** A numeric id as a string ("880011223"), or "" (Shopee's ids exceed 2^53: kept as text). */
export function idText(v: unknown): string {
  const s = str(v, 40)
  return /^\d{1,30}$/.test(s) && !/^0+$/.test(s) ? s.replace(/^0+/, "") : ""
}

/**
 * The shop an order is keyed by: the numeric shop id whenever the data carries it (the engine's
 * Open Platform road keys orders by the same id), else one learned on this host.
 */
export function shopOf(fromRecord: unknown, orderId: string | undefined, ctx: OrderContext): string | undefined {
  return idText(fromRecord) || (orderId ? ctx.shopOfOrder?.(orderId) : undefined) || ctx.shopHint
}

/** The currency: the order's own code when it is one, else the region's (the card list sends a number). */
export function currencyOf(raw: unknown, region: unknown, ctx: OrderContext): string | undefined {
  const c = str(raw, 8).toUpperCase()
  if (KNOWN_CURRENCIES.has(c)) return c
  return currencyOfCountry(str(region, 4)) ?? regionOf(ctx.host)?.currency
}

/**
 * The status to report: Shopee's order_status names as they are, a localized text mapped to
 * them, or — unknown — the raw text itself, which the engine keeps unpaid and never delivers.
 * Numbers are raw codes whose meaning no public source gives: reported raw, never mapped.
 */
export function statusToReport(raw: unknown): string | undefined {
  if (typeof raw === "number" && Number.isFinite(raw)) return String(raw)
  const s = str(raw, 60)
  if (!s) return undefined
  if (/^[A-Z_]{3,40}$/.test(s)) return s
  return statusOfText(s) ?? s
}

/** The status of an order whose money is unclear: not one the engine pays on, the raw kept. */
export function flagged(status: string, why: string): string {
  return `${status} [money unclear: ${why}]`.slice(0, 100)
}

/** A line with what it has: an item id or a SKU is required. */
export function line(itemId: number | undefined, modelId: number | undefined, sku: string, quantity: number, price: number | undefined): LineInput | undefined {
  if (itemId === undefined && !sku) return undefined
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > 1000) return undefined
  const l: LineInput = { quantity, unit_price: price ?? 0 }
  if (sku) l.sku = sku
  if (itemId !== undefined) l.item_id = itemId
  if (modelId !== undefined && modelId > 0) l.model_id = modelId
  return l
}
