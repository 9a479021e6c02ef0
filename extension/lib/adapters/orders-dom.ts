// Adapter: Seller Centre's order list / order detail as rendered (the DOM), for when the JSON
// adapter cannot read what the page loaded. It reads by Shopee's visible words (order number
// label, status names, "SKU", "x2") and product links, not by generated class names, so it
// survives most restyles. The markup it expects is fixtures/seller-centre.ts renderOrderCard.

import type { LineInput, OrderInput } from "../contract"
import { regionOf } from "../region"
import { statusOfText, STATUS_WORDS_LONGEST_FIRST } from "../status-words"
import { intId } from "../util"
import { emptyRead, type OrderContext, type OrdersRead } from "./order-read"

const LABEL =
  "(?:No\\.?\\s*Pesanan|Mã đơn hàng|Order\\s*(?:ID|No\\.?|SN)|หมายเลขคำสั่งซื้อ|訂單編號|N[ºo°]\\.?\\s*(?:do|de|del)\\s*pedido|ID\\s*(?:do|de|del)\\s*pedido)"
const SN_AFTER_LABEL = new RegExp(`${LABEL}\\s*[:#.]?\\s*([0-9A-Z]{10,20})\\b`, "i")

/** A status shown alone in an element (not a status word inside a product name). */
function statusOfCard(card: Element): string | undefined {
  const el = card.querySelector("[class*=status]")
  if (el) return statusFromText(textOf(el))
  for (const leaf of Array.from(card.querySelectorAll("*")).filter((e) => e.children.length === 0)) {
    const t = textOf(leaf).toLocaleLowerCase()
    const hit = statusOfText(t)
    if (hit) return hit
  }
  return undefined
}

export function statusFromText(t: string): string | undefined {
  const low = t.toLocaleLowerCase()
  const exact = statusOfText(t)
  if (exact) return exact
  for (const x of STATUS_WORDS_LONGEST_FIRST) if (low.includes(x.text.toLocaleLowerCase())) return x.status
  return undefined
}

const ZERO_DECIMALS = new Set(["IDR", "VND", "TWD", "CLP", "COP"])

/** "Rp63.500" → 63500; "RM12.50" → 12.5; "R$ 1.234,56" → 1234.56; undefined when no amount. */
export function parseMoney(t: string, currency: string): number | undefined {
  const m = t.match(/\d[\d.,\s]*/)
  if (!m) return undefined
  const raw = m[0].replace(/\s/g, "").replace(/[.,]$/, "")
  if (ZERO_DECIMALS.has(currency)) {
    const n = Number(raw.replace(/[.,]/g, ""))
    return Number.isFinite(n) ? n : undefined
  }
  const dec = raw.match(/^(.*)[.,](\d{1,2})$/)
  const whole = (dec ? dec[1] : raw).replace(/[.,]/g, "")
  const n = Number(dec ? `${whole}.${dec[2]}` : whole)
  return Number.isFinite(n) ? n : undefined
}

function textOf(el: Element | null | undefined): string {
  return (el?.textContent ?? "").replace(/\s+/g, " ").trim()
}

/** The order numbers shown under `root`, each with the element that shows it. */
function orderNumbers(root: ParentNode): Array<{ sn: string; el: Element }> {
  const out: Array<{ sn: string; el: Element }> = []
  const doc = (root as Node).ownerDocument ?? (root as Document)
  const walker = doc.createTreeWalker(root as Node, 4 /* NodeFilter.SHOW_TEXT */)
  const seen = new Set<string>()
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement
    if (!el || seen.has(textOf(el))) continue
    const m = textOf(el).match(SN_AFTER_LABEL)
    if (m) {
      seen.add(textOf(el))
      out.push({ sn: m[1].toUpperCase(), el })
    }
  }
  return out
}

/** The largest ancestor of `el` that shows only this one order number: the order's card. */
function cardOf(el: Element, sn: string): Element {
  let card = el
  for (let p = el.parentElement; p && p !== p.ownerDocument.body; p = p.parentElement) {
    const sns = new Set((p.textContent ?? "").match(new RegExp(`${LABEL}\\s*[:#.]?\\s*[0-9A-Z]{10,20}`, "gi")) ?? [])
    if (sns.size > 1) break
    if (!(p.textContent ?? "").toUpperCase().includes(sn)) break
    card = p
  }
  return card
}

const PRODUCT_LINK = /\/product\/(\d+)\/(\d+)|-i\.(\d+)\.(\d+)/

function readLines(card: Element, currency: string): { lines: LineInput[]; shop?: string } | undefined {
  const links = Array.from(card.querySelectorAll("a[href]")).filter((a) => PRODUCT_LINK.test(a.getAttribute("href") ?? ""))
  const lines: LineInput[] = []
  let shop: string | undefined
  for (const a of links) {
    const m = (a.getAttribute("href") ?? "").match(PRODUCT_LINK)!
    shop = shop ?? (m[1] ?? m[3])
    const item_id = intId(m[2] ?? m[4])
    // The row: the largest ancestor holding only this product link.
    let row: Element = a
    for (let p = a.parentElement; p && p !== card; p = p.parentElement) {
      if (Array.from(p.querySelectorAll("a[href]")).filter((x) => PRODUCT_LINK.test(x.getAttribute("href") ?? "")).length > 1) break
      row = p
    }
    const rowText = Array.from(row.querySelectorAll("*"))
      .filter((e) => e.children.length === 0)
      .map(textOf)
    const sku = rowText.map((t) => t.match(/^SKU[^:]*:\s*(\S{1,100})$/i)?.[1]).find(Boolean)
    const qty = rowText.map((t) => t.match(/^[x×]\s?(\d{1,4})$/i)?.[1]).find(Boolean)
    const price = rowText.find((t) => /^(Rp|₫|RM|฿|₱|S\$|NT\$|R\$|\$)\s?\d|^\d[\d.,]*\s?(₫|đ)$/.test(t))
    const quantity = qty ? Number(qty) : 1
    if (quantity < 1 || (!item_id && !sku)) return undefined
    const line: LineInput = { quantity, unit_price: (price && parseMoney(price, currency)) || 0 }
    if (item_id) line.item_id = item_id
    if (sku) line.sku = sku
    lines.push(line)
  }
  return lines.length ? { lines, shop } : undefined
}

export function readOrdersDom(root: ParentNode, ctx: OrderContext): OrdersRead {
  const out: OrdersRead = emptyRead()
  const currency = regionOf(ctx.host)?.currency ?? "IDR"
  const done = new Set<string>()
  for (const { sn, el } of orderNumbers(root)) {
    if (done.has(sn)) continue
    done.add(sn)
    out.recognized = true
    const card = cardOf(el, sn)
    const status = statusOfCard(card)
    const read = readLines(card, currency)
    if (!status || !read) {
      out.skipped++
      continue
    }
    const username = textOf(card.querySelector("[class*=username], [class*=buyer-name], [class*=buyer]")).slice(0, 100)
    const order: OrderInput = {
      shop: read.shop ?? ctx.shopHint ?? ctx.host,
      order_sn: sn,
      status,
      buyer: { username },
      lines: read.lines,
      currency
    }
    out.orders.push(order)
    out.shop = out.shop ?? read.shop
  }
  return out
}
