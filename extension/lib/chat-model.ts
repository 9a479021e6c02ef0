// What the extension knows of Seller Centre's chat, whichever adapter (JSON or DOM) read it.

export interface ChatConversation {
  conversation_id: string
  shop_id?: string
  buyer_id?: number
  buyer_name: string
  unread?: number
}

export interface ChatMessage {
  message_id: string
  conversation_id: string
  /** Who wrote it: the buyer, or the shop (the seller, or AUTO through the seller's chat). */
  from: "buyer" | "seller"
  type: string
  text: string
  /** Epoch seconds; 0 when unknown. */
  ts: number
  buyer_id?: number
  /** The writer's Shopee user id, when the source names it. */
  from_id?: number
  shop_id?: string
  order_sn?: string
  item_id?: number
}

/** Buyer messages older than this are history, not questions to answer now. */
export const QUESTION_MAX_AGE_S = 24 * 3600

/**
 * The buyer's messages in one conversation (given oldest first) that still wait for an answer:
 * text messages after the shop's last message, younger than QUESTION_MAX_AGE_S (when their time
 * is known). Opening an old chat must not make AUTO answer questions answered long ago.
 */
export function unansweredQuestions(messages: ChatMessage[], nowS: number): ChatMessage[] {
  const sorted = messages
  let lastSeller = -1
  sorted.forEach((m, i) => {
    if (m.from === "seller") lastSeller = i
  })
  return sorted
    .slice(lastSeller + 1)
    .filter((m) => m.from === "buyer" && m.type === "text" && m.text.trim() && (m.ts === 0 || nowS - m.ts <= QUESTION_MAX_AGE_S))
}
