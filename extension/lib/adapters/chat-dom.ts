// Adapter: Seller Centre's web chat as rendered (the DOM): where the input and the send button
// are, which conversation is open, how to open another, and the messages shown (the fallback
// when the chat JSON cannot be read). The markup it expects is fixtures/seller-centre.ts
// (renderConversationItem, renderChatMessage) and the chat page of tests/extension.

import type { ChatConversation, ChatMessage } from "../chat-model"
import { hash } from "../util"

function textOf(el: Element | null | undefined): string {
  return (el?.textContent ?? "").replace(/\s+/g, " ").trim()
}

function visible(el: Element): boolean {
  const h = el as HTMLElement
  if (h.hidden || h.getAttribute("aria-hidden") === "true") return false
  const style = h.ownerDocument.defaultView?.getComputedStyle?.(h)
  return !style || (style.display !== "none" && style.visibility !== "hidden")
}

const PLACEHOLDER = /tulis|ketik|pesan|nhập|tin nhắn|type|message|พิม|mensagem|mensaje|輸入/i

/** The chat's text input: a textarea (or contenteditable box) in the chat, not a search box. */
export function findChatInput(doc: Document): HTMLTextAreaElement | HTMLElement | null {
  const areas = Array.from(doc.querySelectorAll("textarea")).filter(visible)
  const byPlaceholder = areas.find((a) => PLACEHOLDER.test(a.placeholder ?? ""))
  if (byPlaceholder) return byPlaceholder
  if (areas.length) return areas[areas.length - 1]
  const editable = Array.from(doc.querySelectorAll<HTMLElement>('[contenteditable="true"], [contenteditable=""]')).filter(visible)
  return editable[editable.length - 1] ?? null
}

const SEND_WORDS = /^(kirim|gửi|send|ส่ง|enviar|傳送|發送)$/i

export function findSendButton(doc: Document): HTMLElement | null {
  const candidates = Array.from(doc.querySelectorAll<HTMLElement>("button, [role=button]")).filter(visible)
  return (
    candidates.find((b) => SEND_WORDS.test(textOf(b)) || SEND_WORDS.test(b.getAttribute("aria-label") ?? "") || SEND_WORDS.test(b.title ?? "")) ??
    null
  )
}

/** The buyer name shown in the open conversation's header. */
export function openConversationName(doc: Document): string | undefined {
  const header = doc.querySelector("[class*=chat-header] [class*=name], [class*=conversation-header] [class*=name]")
  const name = textOf(header)
  if (name) return name
  const active = doc.querySelector("[role=listitem].active, [role=listitem][aria-selected=true], [class*=conversation].active")
  return textOf(active?.querySelector("[class*=name]")) || undefined
}

/** The conversation list entry for a buyer (to click it open), matched on the exact name. */
export function findConversationItem(doc: Document, buyerName: string): HTMLElement | null {
  const want = buyerName.trim().toLocaleLowerCase()
  if (!want) return null
  const names = Array.from(doc.querySelectorAll<HTMLElement>("[role=listitem] *, [class*=conversation] *, li *")).filter(
    (e) => e.children.length === 0 && textOf(e).toLocaleLowerCase() === want
  )
  const el = names[0]
  if (!el) return null
  return (el.closest("[role=listitem], li, [class*=conversation-cell], [class*=conversation-item]") as HTMLElement) ?? el
}

/** Conversations listed in the sidebar (names only: the DOM has no buyer ids). */
export function readConversationsDom(doc: Document): ChatConversation[] {
  const out: ChatConversation[] = []
  for (const item of Array.from(doc.querySelectorAll("[role=listitem], [class*=conversation-cell], [class*=conversation-item]"))) {
    const name = textOf(item.querySelector("[class*=name]"))
    if (!name || out.some((c) => c.buyer_name === name)) continue
    const cid = item.getAttribute("data-cid") ?? item.getAttribute("data-conversation-id")
    out.push({ conversation_id: cid && /^[0-9A-Za-z_-]{1,64}$/.test(cid) ? cid : `name:${name}`, buyer_name: name })
  }
  return out
}

/** The messages shown for the open conversation, oldest first. */
export function readMessagesDom(doc: Document, conversationId: string): ChatMessage[] {
  const out: ChatMessage[] = []
  let els = Array.from(doc.querySelectorAll("[data-message-id]"))
  if (!els.length) {
    els = Array.from(doc.querySelectorAll("[class]")).filter((e) => /(^|\s)(chat-message|message-item)(\s|$)/.test(e.getAttribute("class") ?? ""))
  }
  const seen = new Map<string, number>()
  els.forEach((el) => {
    const cls = (el.getAttribute("class") ?? "").toLowerCase()
    const from = /received|buyer|left|incoming/.test(cls) ? "buyer" : /sent|seller|right|outgoing|self/.test(cls) ? "seller" : undefined
    if (!from) return
    const body = el.querySelector("[class*=message-text], [class*=text], pre")
    const text = (body?.textContent ?? "").trim()
    // Without an id in the markup: the n-th message with this text from this side, which stays
    // the same when older messages are loaded above it... mostly. The engine dedups on it.
    const nth = (seen.get(`${from}|${text}`) ?? 0) + 1
    seen.set(`${from}|${text}`, nth)
    const id = el.getAttribute("data-message-id") || `dom-${hash(`${conversationId}|${from}|${text}|${nth}`)}`
    out.push({ message_id: id, conversation_id: conversationId, from, type: text ? "text" : "other", text, ts: 0 })
  })
  return out
}
