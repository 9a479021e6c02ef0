// Every chat shape the extension reads, tried on one captured response: Seller Centre's v1.2
// web chat (bare arrays keyed `id`, and the mini variants), then Open Platform names.

import type { ChatConversation } from "../chat-model"
import { readChatJson, type ChatRead } from "./chat-json"
import { readChatV12 } from "./chat-v12"

export type { ChatRead } from "./chat-json"

/** `known`: conversations read earlier on this page (a message list does not name its buyer). */
export function readChat(body: unknown, url: string, known: Map<string, ChatConversation> = new Map()): ChatRead {
  const v12 = readChatV12(body, url, known)
  if (v12.recognized || v12.skipped) return v12
  return readChatJson(body, url)
}
