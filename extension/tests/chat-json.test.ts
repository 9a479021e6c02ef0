import { describe, expect, it } from "vitest"

import { readChatJson } from "../lib/adapters/chat-json"
import { unansweredQuestions } from "../lib/chat-model"
import * as SC from "../fixtures/seller-centre"

const now = 1764050000

describe("chat adapter for Open Platform names (kept; not Seller Centre's own shape)", () => {
  const { conversations, messages } = SC.sampleChatID(now)

  it("reads the conversation list, with each conversation's latest message", () => {
    const body = SC.opConversationListResponse(conversations.map((c) => ({ c, last: messages.filter((m) => m.conversation_id === c.conversation_id).pop() })))
    const r = readChatJson(body, "/webchat/api/v1.2/conversations")
    expect(r.recognized).toBe(true)
    expect(r.conversations).toHaveLength(SC.BUYERS_ID.length)
    expect(r.conversations[0]).toEqual({ conversation_id: "1429384756123001", shop_id: "880011223", buyer_id: 381234567, buyer_name: "budi_santoso88", unread: 0 })
    // latest messages: the seller answered in the first three conversations
    expect(r.messages).toHaveLength(3)
    expect(r.messages.every((m) => m.from === "seller")).toBe(true)
    expect(r.messages[0].ts).toBe(now - 3500) // nanoseconds read as such
  })

  it("reads a message list: who wrote what, order and item references", () => {
    const vn = SC.sampleChatVN(now)
    const body = SC.opMessageListResponse(vn.conversations[1].conversation_id, vn.messages.filter((m) => m.conversation_id === vn.conversations[1].conversation_id))
    const r = readChatJson(body, "/webchat/api/v1.2/messages?conversation_id=2539485766234002")
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
  })

  it("reads the sent message the send endpoint returns", () => {
    const m = { ...messages[1], message_id: "999", text: "Halo kak\nKode: ABC" }
    const r = readChatJson(SC.opSendMessageResponse(m), "/webchat/api/v1.2/messages/send")
    expect(r.messages).toHaveLength(1)
    expect(r.messages[0]).toMatchObject({ from: "seller", text: "Halo kak\nKode: ABC", shop_id: "880011223" })
  })

  it("keeps other message types as such, and skips messages of unknown origin", () => {
    const body = {
      response: {
        messages: [
          { message_id: 1, conversation_id: "5", message_type: "sticker", content: { sticker_id: "x" }, from_shop_id: 0, to_shop_id: 7, created_timestamp: now },
          { message_id: 2, conversation_id: "5", message_type: "text", content: { text: "siapa?" }, from_id: 9, to_id: 8, created_timestamp: now },
          { message_id: "3", conversation_id: 5, message_type: "text", content: { text: 42 }, from_shop_id: "0", to_shop_id: "7", created_timestamp: "oops" }
        ]
      }
    }
    const r = readChatJson(body)
    expect(r.skipped).toBe(1)
    expect(r.messages.map((m) => [m.message_id, m.type, m.text, m.ts])).toEqual([
      ["1", "sticker", "", now],
      ["3", "text", "", 0]
    ])
  })

  it("never throws on anything", () => {
    for (const v of [null, 1, "s", [], [null], { response: null }, { response: { messages: [{ message_id: {} }] } }, { conversations: [{ conversation_id: [] }] }]) {
      expect(() => readChatJson(v, "x")).not.toThrow()
    }
  })
})

describe("unanswered questions", () => {
  const m = (id: string, from: "buyer" | "seller", ts: number, text = "halo") => ({ message_id: id, conversation_id: "c", from, type: "text", text, ts })
  it("are the buyer's text messages after the shop's last message", () => {
    const list = [m("1", "buyer", now - 50), m("2", "seller", now - 40), m("3", "buyer", now - 30), m("4", "buyer", now - 20)]
    expect(unansweredQuestions(list, now).map((x) => x.message_id)).toEqual(["3", "4"])
  })
  it("are not old history, empty texts or stickers", () => {
    const list = [m("1", "buyer", now - 3 * 86400), m("2", "buyer", now - 10, "  "), { ...m("3", "buyer", now - 5), type: "sticker" }]
    expect(unansweredQuestions(list, now)).toEqual([])
  })
})
