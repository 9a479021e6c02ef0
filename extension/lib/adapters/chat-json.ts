// Adapter: chat records named as Shopee Open Platform v2's seller chat names them
// (get_conversation_list: conversation_id, to_id, to_name ...; get_message: message_id,
// message_type, from_shop_id ...; MonveChen/shopee-openapi-v2 src/chat.ts) → the extension's
// chat model. Seller Centre's own web chat answers in other names (chat-v12.ts); this reader is
// kept for pages that use these. Unknown message types are kept with their type so they are
// never mistaken for text.

import type { ChatConversation, ChatMessage } from "../chat-model"
import { epochSeconds, intId, isObj, num, pick, str, text, type Obj } from "../util"
import { findRecords } from "./find"

/** A conversation: keyed conversation_id, with the buyer (to_id/to_name), and nothing of a
 * message (a message also has conversation_id and to_id; taking one for a conversation made a
 * message list look like a conversation list). */
export function isConversationRecord(o: Obj): boolean {
  return (
    o.conversation_id !== undefined &&
    (o.to_id !== undefined || o.to_name !== undefined) &&
    o.message_type === undefined &&
    o.type === undefined &&
    o.from_id === undefined &&
    o.content === undefined
  )
}

export function isMessageRecord(o: Obj): boolean {
  return o.message_id !== undefined && (o.content !== undefined || o.message_type !== undefined) && o.conversation_id !== undefined
}

export interface ChatRead {
  conversations: ChatConversation[]
  messages: ChatMessage[]
  recognized: boolean
  skipped: number
  /** Why records were skipped, in a few words (kept with the redacted sample). */
  problems: string[]
}

export function readChatJson(body: unknown, url = ""): ChatRead {
  const out: ChatRead = { conversations: [], messages: [], recognized: false, skipped: 0, problems: [] }
  const convs = findRecords(body, isConversationRecord)
  for (const c of convs) {
    const conv = readConversation(c)
    if (conv) out.conversations.push(conv)
    else {
      out.skipped++
      out.problems.push("a conversation without a valid id or buyer")
    }
  }
  const msgs = findRecords(body, isMessageRecord)
  const buyerOf = new Map(out.conversations.map((c) => [c.conversation_id, c]))
  // The conversation list carries each conversation's latest message: a buyer's new question in
  // a conversation that is not open is seen without opening it.
  for (const c of convs) {
    const conv = buyerOf.get(str(c.conversation_id, 64))
    const latest = conv && latestMessage(c, conv)
    if (latest) out.messages.push(latest)
  }
  for (const m of msgs) {
    const msg = readMessage(m, buyerOf)
    if (msg) out.messages.push(msg)
    else {
      out.skipped++
      out.problems.push("a message without ids, or whose writer cannot be told")
    }
  }
  if (!msgs.length && /messages/.test(url)) {
    // An empty message list for an open conversation is still a recognised response (but not
    // any {data} at all: a changed shape must not pass for an empty list).
    out.recognized = isObj(body) && [body.response, body.data].some((x) => isObj(x) && Array.isArray(x.messages) && x.messages.length === 0)
  }
  out.recognized = out.recognized || convs.length > 0 || msgs.length > 0
  return out
}

function readConversation(c: Obj): ChatConversation | undefined {
  const conversation_id = str(c.conversation_id, 64)
  if (!/^[0-9A-Za-z_-]{1,64}$/.test(conversation_id)) return undefined
  const buyer_name = str(pick(c, "to_name", "to_username"), 100)
  const buyer_id = intId(c.to_id)
  if (!buyer_name && buyer_id === undefined) return undefined
  const conv: ChatConversation = { conversation_id, buyer_name }
  if (buyer_id !== undefined) conv.buyer_id = buyer_id
  const shop = str(c.shop_id, 100)
  if (shop && shop !== "0") conv.shop_id = shop
  const unread = intId(c.unread_count)
  if (unread !== undefined) conv.unread = unread
  return conv
}

function latestMessage(c: Obj, conv: ChatConversation): ChatMessage | undefined {
  const id = str(c.latest_message_id, 64)
  const type = str(c.latest_message_type, 30).toLowerCase()
  const content = isObj(c.latest_message_content) ? c.latest_message_content : {}
  const fromId = intId(c.latest_message_from_id)
  if (!id || id === "0" || type !== "text" || fromId === undefined || conv.buyer_id === undefined) return undefined
  const from = fromId === conv.buyer_id ? "buyer" : "seller"
  const msg: ChatMessage = { message_id: id, conversation_id: conv.conversation_id, from, type, text: text(content.text), ts: epochSeconds(c.last_message_timestamp) ?? 0 }
  msg.from_id = fromId
  if (from === "buyer") msg.buyer_id = conv.buyer_id
  if (conv.shop_id) msg.shop_id = conv.shop_id
  return msg
}

function readMessage(m: Obj, convs: Map<string, ChatConversation>): ChatMessage | undefined {
  const message_id = str(m.message_id, 64)
  const conversation_id = str(m.conversation_id, 64)
  if (!message_id || !conversation_id) return undefined
  const content = isObj(m.content) ? m.content : {}
  const type = str(pick(m, "message_type", "type"), 30).toLowerCase() || "text"
  const body = type === "text" ? text(pick(content, "text") ?? (typeof m.content === "string" ? m.content : "")) : ""
  const fromShop = num(m.from_shop_id) ?? 0
  const toShop = num(m.to_shop_id) ?? 0
  const fromId = intId(m.from_id)
  const conv = convs.get(conversation_id)
  let from: "buyer" | "seller"
  if (fromShop > 0) from = "seller"
  else if (toShop > 0) from = "buyer"
  else if (conv?.buyer_id !== undefined && fromId !== undefined) from = fromId === conv.buyer_id ? "buyer" : "seller"
  else return undefined // cannot tell who wrote it: never answer a message of unknown origin
  const msg: ChatMessage = { message_id, conversation_id, from, type, text: body, ts: epochSeconds(pick(m, "created_timestamp", "created_at", "timestamp")) ?? 0 }
  if (fromId !== undefined) msg.from_id = fromId
  const buyerId = from === "buyer" ? fromId : intId(m.to_id)
  if (buyerId !== undefined && buyerId > 0) msg.buyer_id = buyerId
  const shop = from === "seller" ? fromShop : toShop
  if (shop > 0) msg.shop_id = String(shop)
  const src = isObj(m.source_content) ? m.source_content : {}
  const sn = str(src.order_sn, 64)
  if (/^[0-9A-Z]{6,64}$/i.test(sn)) msg.order_sn = sn
  const item = intId(src.item_id)
  if (item) msg.item_id = item
  return msg
}
