import { describe, expect, it } from "vitest"

import { readChat } from "../lib/adapters/chat"
import { readChatJson } from "../lib/adapters/chat-json"
import { readChatV12 } from "../lib/adapters/chat-v12"
import type { ChatConversation } from "../lib/chat-model"
import * as SC from "../fixtures/seller-centre"

const now = 1764050000
const ID_NAMES = (buyer: string) => ({ buyer, shop: "tokodigitaljaya" })

describe("web chat v1.2 (bare arrays keyed id)", () => {
  const id = SC.sampleChatID(now)
  const items = id.conversations.map((c) => ({ c, last: id.messages.filter((m) => m.conversation_id === c.conversation_id).pop() }))

  it("reads the conversation list, a bare array keyed `id`, with each conversation's latest message", () => {
    const r = readChat(SC.conversationsV12(items), "https://seller.shopee.co.id/webchat/api/v1.2/conversations?direction=older")
    expect(r.recognized).toBe(true)
    expect(r.skipped).toBe(0)
    expect(r.conversations).toHaveLength(SC.BUYERS_ID.length)
    expect(r.conversations[0]).toEqual({ conversation_id: "1429384756123001", shop_id: "880011223", buyer_id: 381234567, buyer_name: "budi_santoso88", unread: 0 })
    expect(r.messages).toHaveLength(3) // the three with a latest message, all the seller's
    expect(r.messages.every((m) => m.from === "seller")).toBe(true)
    expect(r.messages[0].ts).toBe(now - 3500) // nanoseconds read as such
  })

  it("reads the mini variant ({conversations}) the same way", () => {
    const r = readChat(SC.miniConversationsResponse(items.slice(0, 2)), "/webchat/api/v1.2/mini/conversations")
    expect(r.conversations.map((c) => c.conversation_id)).toEqual(["1429384756123001", "1429384756123002"])
  })

  it("a message list is read as messages — never taken for a conversation list (it has conversation_id and to_id too)", () => {
    const vn = SC.sampleChatVN(now)
    const conv = vn.conversations[1]
    const known = new Map<string, ChatConversation>([[conv.conversation_id, { conversation_id: conv.conversation_id, buyer_id: conv.to_id, buyer_name: conv.to_name, shop_id: "990022334" }]])
    const body = SC.messagesV12(vn.messages.filter((m) => m.conversation_id === conv.conversation_id), ID_NAMES(conv.to_name))
    const r = readChat(body, `https://seller.shopee.vn${SC.messagesPath(conv.conversation_id)}?shop_id=990022334&offset=0&limit=20`, known)
    expect(r.conversations).toEqual([])
    expect(r.messages).toEqual([
      {
        message_id: "25394857662340020001",
        conversation_id: "2539485766234002",
        from: "buyer",
        from_id: 512345602,
        type: "text",
        text: "Mình đặt rồi, bao lâu thì nhận được mã ạ?",
        ts: now - 120,
        buyer_id: 512345602,
        shop_id: "990022334",
        order_sn: "251125V001Q8T2X"
      }
    ])
    // The Open Platform-named reader does not take these messages for conversations either.
    expect(readChatJson(body, "/x").conversations).toEqual([])
  })

  it("tells who wrote a message by the conversation's buyer when the message has no shop ids (Thai)", () => {
    const th = SC.sampleChatTH(now)
    const c = th.conversations[0]
    const known = new Map<string, ChatConversation>([[c.conversation_id, { conversation_id: c.conversation_id, buyer_id: c.to_id, buyer_name: c.to_name }]])
    const body = SC.messagesV12(th.messages.filter((m) => m.conversation_id === c.conversation_id), { buyer: c.to_name, shop: "garena_shop" })
    const r = readChatV12(body, SC.messagesPath(c.conversation_id), known)
    expect(r.messages.map((m) => [m.from, m.text])).toEqual([
      ["buyer", "สวัสดีครับ บัตร Garena 100 บาท ยังมีไหมครับ"],
      ["seller", "มีค่ะ สั่งได้เลยค่ะ โค้ดส่งทางแชทอัตโนมัติ"]
    ])
    // Without the conversation known, who wrote it cannot be told: skipped, never answered.
    const blind = readChatV12(body.map((m) => ({ ...m, shop_id: undefined })), SC.messagesPath(c.conversation_id))
    expect(blind.messages).toEqual([])
    expect(blind.skipped).toBe(2)
  })

  it("reads content sent as a JSON string, and keeps other message types without text", () => {
    const known = new Map<string, ChatConversation>([["c1", { conversation_id: "c1", buyer_id: 7, buyer_name: "x" }]])
    const body = [
      { id: "m1", conversation_id: "c1", from_id: 7, to_id: 9, type: "text", content: '{"text":"kak, kodenya belum masuk"}', created_timestamp: now },
      { id: "m2", conversation_id: "c1", from_id: 7, to_id: 9, type: "sticker", content: { sticker_id: "1" }, created_timestamp: now }
    ]
    const r = readChatV12(body, SC.messagesPath("c1"), known)
    expect(r.messages.map((m) => [m.type, m.text])).toEqual([
      ["text", "kak, kodenya belum masuk"],
      ["sticker", ""]
    ])
  })

  it("an empty message list or conversation list is a readable answer; an opened conversation and a sent message are read", () => {
    expect(readChat([], SC.messagesPath("c1")).recognized).toBe(true)
    expect(readChat([], "/webchat/api/v1.2/conversations").recognized).toBe(true)
    const c = { conversation_id: SC.BUYER_NO_CHAT_ID.conversation_id, shop_id: 880011223, to_id: SC.BUYER_NO_CHAT_ID.user_id, to_name: SC.BUYER_NO_CHAT_ID.username }
    expect(readChat(SC.openConversationResponse(c), "/webchat/api/v1.2/conversation/open").conversations).toEqual([
      { conversation_id: "1429384756129999", buyer_id: 381239999, buyer_name: "wulan.sari21", shop_id: "880011223", unread: 0 }
    ])
    const known = new Map<string, ChatConversation>([[c.conversation_id, { conversation_id: c.conversation_id, buyer_id: c.to_id, buyer_name: c.to_name }]])
    const sent = SC.sentMessageV12({ message_id: "77", conversation_id: c.conversation_id, from_id: 100200300, to_id: c.to_id, from_shop_id: 880011223, to_shop_id: 0, text: "Kode: ABC-123", created_timestamp: now }, ID_NAMES(c.to_name))
    expect(readChat(sent, "/webchat/api/v1.2/messages", known).messages[0]).toMatchObject({ from: "seller", text: "Kode: ABC-123", conversation_id: c.conversation_id })
  })

  it("Open Platform-named chat still reads through the same entry", () => {
    const r = readChat(SC.opConversationListResponse(items), "/webchat/api/v1.2/conversations")
    expect(r.conversations).toHaveLength(SC.BUYERS_ID.length)
  })
})
