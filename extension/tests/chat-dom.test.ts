// @vitest-environment jsdom
import { beforeEach, describe, expect, it } from "vitest"

import { findChatInput, findConversationItem, findSendButton, openConversationName, readConversationsDom, readMessagesDom } from "../lib/adapters/chat-dom"
import { inputValue, insertText, pressSend } from "../lib/typer"
import * as SC from "../fixtures/seller-centre"

function chatPage() {
  const { conversations, messages } = SC.sampleChatID()
  const open = conversations[0]
  document.body.innerHTML =
    `<div class="search"><input placeholder="Cari"></div><div class="conversation-list">` +
    conversations.map((c, i) => SC.renderConversationItem({ conversation_id: c.conversation_id, to_name: c.to_name, preview: "…", unread: i, active: i === 0 })).join("") +
    `</div><div class="chat-window"><div class="chat-header"><span class="chat-header-name">${open.to_name}</span></div><div class="chat-messages">` +
    messages
      .filter((m) => m.conversation_id === open.conversation_id)
      .map((m) => SC.renderChatMessage({ id: m.message_id, from: m.from_shop_id > 0 ? "seller" : "buyer", text: m.text, time_text: "10.00" }))
      .join("") +
    `</div><div class="chat-footer"><textarea placeholder="Tulis pesan..."></textarea><button class="send-button">Kirim</button></div></div>`
  return { conversations, open }
}

describe("chat DOM adapter", () => {
  beforeEach(() => {
    document.body.innerHTML = ""
  })

  it("finds the input, the send button, the open conversation and the list", () => {
    const { conversations, open } = chatPage()
    expect(findChatInput(document)?.tagName).toBe("TEXTAREA")
    expect(findSendButton(document)?.textContent).toBe("Kirim")
    expect(openConversationName(document)).toBe(open.to_name)
    const item = findConversationItem(document, "RIZKY.gaming")
    expect(item?.getAttribute("data-cid")).toBe(conversations[2].conversation_id)
    expect(findConversationItem(document, "rizky")).toBeNull()
    expect(readConversationsDom(document).map((c) => c.conversation_id)).toEqual(conversations.map((c) => c.conversation_id))
  })

  it("reads the shown messages with who wrote them", () => {
    chatPage()
    const msgs = readMessagesDom(document, "1429384756123001")
    expect(msgs.map((m) => [m.from, m.text])).toEqual([
      ["buyer", "Halo kak, voucher Steam 60rb ready?"],
      ["seller", "Ready kak, silakan diorder ya 🙏"]
    ])
  })

  it("types like a user: the page's input listener sees the text; send presses the button", () => {
    chatPage()
    const input = findChatInput(document) as HTMLTextAreaElement
    let state = ""
    input.addEventListener("input", () => (state = input.value))
    let sentText = ""
    findSendButton(document)!.addEventListener("click", () => (sentText = state))
    const text = "Halo kak budi, terima kasih!\nKode: DEMO-1234"
    expect(insertText(input, text)).toBe(true)
    expect(inputValue(input)).toBe(text)
    expect(state).toBe(text)
    pressSend(input, findSendButton(document))
    expect(sentText).toBe(text)
  })

  it("presses Enter when there is no send button", () => {
    document.body.innerHTML = `<div contenteditable="true" class="editor"></div>`
    const el = findChatInput(document)!
    let entered = false
    el.addEventListener("keydown", (e) => (entered = (e as KeyboardEvent).key === "Enter"))
    insertText(el, "Cảm ơn bạn!")
    expect(inputValue(el)).toContain("Cảm ơn bạn!")
    pressSend(el, findSendButton(document))
    expect(entered).toBe(true)
  })
})

describe("clearing the input", () => {
  it("empties it with an input event the page sees", async () => {
    const { clearInput } = await import("../lib/typer")
    document.body.innerHTML = `<textarea placeholder="Tulis pesan"></textarea>`
    const input = findChatInput(document) as HTMLTextAreaElement
    let state = ""
    input.addEventListener("input", () => (state = input.value))
    insertText(input, "Kode: ABC")
    expect(state).toBe("Kode: ABC")
    clearInput(input)
    expect(input.value).toBe("")
    expect(state).toBe("")
  })
})
