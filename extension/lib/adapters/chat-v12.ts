// Adapter: Seller Centre's web chat as it answers (v1.2). GET /webchat/api/v1.2/conversations
// returns a BARE ARRAY of conversations keyed `id` (not conversation_id): {id, to_id, to_name,
// shop_id, unread_count, latest_message_id, latest_message_type, latest_message_content {text},
// latest_message_from_id, last_message_timestamp (ns)}; the newer POST .../mini/conversations
// wraps the same in {conversations: [...]}. GET .../conversations/{id}/messages returns a bare
// array of {id, conversation_id, from_id, from_user_name, to_id, type, content {text} (or the
// same as a JSON string), created_timestamp (s), source_content {order_sn, item_id}}.
//
// Source: kaojai-ai/omnichat-bridge extension/shopee-realtime.js and extension/lib/shopee.js (an
// extension reading live Seller Centre chat: conversation.id / to_id / to_name / shop_id; messages
// found as objects with id + conversation_id; from_id / to_id / from_shop_id / to_shop_id;
// content as object or JSON string; bare arrays or {conversations}). The send response and the
// conversation/open response shapes are inferred (a single message / conversation object).

import type { ChatConversation, ChatMessage } from "../chat-model"
import { conversationOfPath } from "../paths"
import { epochSeconds, intId, isObj, num, pick, str, text, type Obj } from "../util"
import type { ChatRead } from "./chat-json"

/** A v1.2 conversation: id + the buyer (to_id), none of a message's fields. */
export function isV12Conversation(o: Obj): boolean {
  return (
    o.id !== undefined &&
    o.to_id !== undefined &&
    o.conversation_id === undefined &&
    o.from_id === undefined &&
    o.content === undefined &&
    (o.to_name !== undefined || o.latest_message_id !== undefined || o.shop_id !== undefined)
  )
}

/** A v1.2 message: id + conversation_id + from_id, and content or type. */
export function isV12Message(o: Obj): boolean {
  return (o.id !== undefined || o.message_id !== undefined) && o.conversation_id !== undefined && o.from_id !== undefined && (o.content !== undefined || o.type !== undefined)
}

/** The records of a v1.2 response: the body itself, {conversations}, {messages}, {data: ...}. */
function records(body: unknown): Obj[] {
  if (Array.isArray(body)) return body.filter(isObj)
  if (!isObj(body)) return []
  for (const c of [body.conversations, body.messages, body.data, isObj(body.data) ? body.data.conversations : undefined, isObj(body.data) ? body.data.messages : undefined]) {
    if (Array.isArray(c)) return c.filter(isObj)
  }
  // One record: a sent message, an opened conversation.
  const one = isObj(body.data) ? body.data : isObj(body.message) ? body.message : isObj(body.conversation) ? body.conversation : body
  return [one]
}

const CID = /^[0-9A-Za-z_-]{1,64}$/

export function readChatV12(body: unknown, url: string, known: Map<string, ChatConversation> = new Map()): ChatRead {
  const out: ChatRead = { conversations: [], messages: [], recognized: false, skipped: 0, problems: [] }
  const recs = records(body)
  const convs = recs.filter(isV12Conversation)
  const msgs = recs.filter(isV12Message)
  const byId = new Map(known)
  for (const c of convs) {
    const conv = readConversation(c)
    if (!conv) {
      out.skipped++
      out.problems.push("a conversation without a valid id or buyer")
      continue
    }
    out.conversations.push(conv)
    byId.set(conv.conversation_id, conv)
    const latest = latestMessage(c, conv)
    if (latest) out.messages.push(latest)
  }
  for (const m of msgs) {
    const msg = readMessage(m, byId)
    if (msg) out.messages.push(msg)
    else {
      out.skipped++
      out.problems.push("a message without ids, or whose writer cannot be told")
    }
  }
  // An empty message list of an open conversation is a readable answer, not a changed one.
  const emptyList = Array.isArray(body) && body.length === 0
  out.recognized = convs.length > 0 || msgs.length > 0 || (emptyList && (/\/conversations\/?$/.test(url) || !!conversationOfPath(url)))
  return out
}

function readConversation(c: Obj): ChatConversation | undefined {
  const conversation_id = str(c.id, 64)
  const buyer_id = intId(c.to_id)
  if (!CID.test(conversation_id) || buyer_id === undefined || buyer_id <= 0) return undefined
  const conv: ChatConversation = { conversation_id, buyer_name: str(pick(c, "to_name", "to_username"), 100), buyer_id }
  const shop = str(c.shop_id, 40)
  if (/^\d+$/.test(shop) && shop !== "0") conv.shop_id = shop
  const unread = intId(c.unread_count)
  if (unread !== undefined) conv.unread = unread
  return conv
}

/** The message content: {text} or the same as a JSON string, or plain text. */
function contentText(v: unknown): string {
  if (isObj(v)) return text(v.text)
  if (typeof v !== "string") return ""
  try {
    const o: unknown = JSON.parse(v)
    return isObj(o) ? text(o.text) : text(v)
  } catch {
    return text(v)
  }
}

function latestMessage(c: Obj, conv: ChatConversation): ChatMessage | undefined {
  const id = str(c.latest_message_id, 64)
  const type = str(c.latest_message_type, 30).toLowerCase()
  const fromId = intId(c.latest_message_from_id)
  if (!id || id === "0" || type !== "text" || fromId === undefined) return undefined
  const from = fromId === conv.buyer_id ? "buyer" : "seller"
  const msg: ChatMessage = {
    message_id: id,
    conversation_id: conv.conversation_id,
    from,
    type,
    text: contentText(c.latest_message_content),
    ts: epochSeconds(c.last_message_timestamp) ?? 0
  }
  msg.from_id = fromId
  if (from === "buyer") msg.buyer_id = conv.buyer_id
  if (conv.shop_id) msg.shop_id = conv.shop_id
  return msg
}

function readMessage(m: Obj, convs: Map<string, ChatConversation>): ChatMessage | undefined {
  const message_id = str(pick(m, "id", "message_id"), 64)
  const conversation_id = str(m.conversation_id, 64)
  if (!message_id || !CID.test(conversation_id)) return undefined
  const type = str(pick(m, "type", "message_type"), 30).toLowerCase() || "text"
  const fromId = intId(m.from_id)
  const toId = intId(m.to_id)
  const fromShop = num(m.from_shop_id) ?? 0
  const toShop = num(m.to_shop_id) ?? 0
  const conv = convs.get(conversation_id)
  let from: "buyer" | "seller"
  if (fromShop > 0) from = "seller"
  else if (toShop > 0) from = "buyer"
  else if (conv?.buyer_id !== undefined && fromId === conv.buyer_id) from = "buyer"
  else if (conv?.buyer_id !== undefined && toId === conv.buyer_id) from = "seller"
  else return undefined // who wrote it cannot be told: a message of unknown origin is never answered
  const msg: ChatMessage = {
    message_id,
    conversation_id,
    from,
    type,
    text: type === "text" ? contentText(m.content) : "",
    ts: epochSeconds(pick(m, "created_timestamp", "created_at", "timestamp")) ?? 0
  }
  if (fromId !== undefined) msg.from_id = fromId
  const buyerId = from === "buyer" ? fromId : toId
  if (buyerId !== undefined && buyerId > 0) msg.buyer_id = buyerId
  const shop = str(pick(m, "shop_id") ?? (from === "seller" ? m.from_shop_id : m.to_shop_id), 40)
  if (/^\d+$/.test(shop) && shop !== "0") msg.shop_id = shop
  else if (conv?.shop_id) msg.shop_id = conv.shop_id
  const src = isObj(m.source_content) ? m.source_content : {}
  const sn = str(src.order_sn, 64)
  if (/^[0-9A-Z]{6,64}$/i.test(sn)) msg.order_sn = sn
  const item = intId(src.item_id)
  if (item) msg.item_id = item
  return msg
}
