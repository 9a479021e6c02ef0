// What `npm run read-capture` prints for one saved response or a saved samples file: the
// orders (engine contract), conversations and messages the adapters read, and how many of the
// responses would still be kept as unreadable.

import type { OrderInput } from "./contract"
import type { ChatConversation } from "./chat-model"
import { pathOf } from "./paths"
import { readCaptured } from "./read-capture"
import { regionOf } from "./region"
import { isSamplesFile } from "./samples"

export interface ReplayOutput {
  orders: OrderInput[]
  conversations: Array<{ conversation_id: string; buyer: { user_id?: number; username: string } }>
  messages: Array<{ conversation_id: string; from_id?: number; text: string; at: string | null }>
  unreadable: number
}

const DEFAULT_HOST = "seller.shopee.co.id"

function target(urlOrPath: string): { host: string; path: string } {
  if (/^https?:\/\//i.test(urlOrPath)) {
    try {
      const u = new URL(urlOrPath)
      return { host: regionOf(u.hostname) ? u.hostname : DEFAULT_HOST, path: u.pathname }
    } catch {
      /* a path after all */
    }
  }
  return { host: DEFAULT_HOST, path: urlOrPath.startsWith("/") ? pathOf(urlOrPath) : "" }
}

export function replay(urlOrPath: string, fileText: string): { output: ReplayOutput; notes: string[] } | { error: string } {
  let parsed: unknown
  try {
    parsed = JSON.parse(fileText)
  } catch {
    parsed = undefined // a broken response is replayed as the page got it: unreadable
  }
  const given = target(urlOrPath)
  if (!given.path.startsWith("/")) return { error: `"${urlOrPath}" is not a URL path (it starts with /) or an https:// URL` }
  const inputs: Array<{ host: string; path: string; text: string }> = isSamplesFile(parsed)
    ? parsed.samples.map((s) => ({
        host: regionOf(String(s.host)) ? String(s.host) : given.host,
        path: typeof s.path === "string" && s.path ? s.path : given.path,
        text: typeof s.body === "string" ? s.body : JSON.stringify(s.body)
      }))
    : [{ ...given, text: fileText }]
  const out: ReplayOutput = { orders: [], conversations: [], messages: [], unreadable: 0 }
  const notes: string[] = []
  const known = new Map<string, ChatConversation>()
  const shops = new Map<string, string>()
  for (const x of inputs) {
    const r = readCaptured(`https://${x.host}${x.path}`, x.text, { host: x.host, shopOfOrder: (id) => shops.get(id) }, known)
    for (const [oid, shop] of r.orders.shops) shops.set(oid, shop)
    if (r.unreadable) {
      out.unreadable++
      notes.push(`${x.path}: ${r.unreadable}`)
    }
    out.orders.push(...r.orders.orders)
    const hostKeyed = r.orders.orders.filter((o) => !/^\d+$/.test(o.shop)).length
    if (hostKeyed) notes.push(`${x.path}: ${hostKeyed} order(s) without a shop id in this response, keyed by the host (the page learns it from search_order_list_index)`)
    if (r.orders.incomplete.length) notes.push(`${x.path}: ${r.orders.incomplete.length} card(s) need their details from get_one_order (not printed)`)
    for (const c of r.chat.conversations) {
      known.set(c.conversation_id, c)
      const buyer: { user_id?: number; username: string } = { username: c.buyer_name }
      if (c.buyer_id !== undefined) buyer.user_id = c.buyer_id
      out.conversations.push({ conversation_id: c.conversation_id, buyer })
    }
    for (const m of r.chat.messages) {
      const msg: ReplayOutput["messages"][number] = { conversation_id: m.conversation_id, text: m.text, at: m.ts ? new Date(m.ts * 1000).toISOString() : null }
      if (m.from_id !== undefined) msg.from_id = m.from_id
      out.messages.push(msg)
    }
  }
  return { output: out, notes }
}
