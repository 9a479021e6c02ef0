import { describe, expect, it } from "vitest"

import { redact, redactText, shapeOf } from "../lib/redact"
import * as SC from "../fixtures/seller-centre"

const PERSONAL = ["budi_santoso88", "sari.dewi_", "Budi Santoso", "6281234567890", "6281298765432", "Jl. Melati", "Jl. Kemang", "Tolong kirim cepat", "Halo kak", "Toko Digital Jaya", "Voucher Steam", "wulan.sari21"]

describe("redaction of kept samples", () => {
  it("keeps the shape: keys, numbers, statuses, currencies, order numbers; masks names, phones, addresses, text", () => {
    const o = SC.makeOrder(1, SC.BUYERS_ID[0], { package_level: true })
    const card = SC.cardListResponse([o, SC.makeOrder(2, SC.BUYERS_ID[1])])
    const r = redact(card) as typeof card
    const text = JSON.stringify(r)
    for (const p of PERSONAL) expect(text).not.toContain(p)
    const pkg = (r.data.card_list[0] as ReturnType<typeof SC.cardJson> & { package_level_order_card: { package_list: Array<{ status_info: { status: string }; payment_info: { total_price: number } }> } }).package_level_order_card
    expect(pkg.card_header.order_sn).toBe(o.order_sn)
    expect(pkg.card_header.buyer_info.username).toBe("xxxx_xxxxxxx00")
    expect(pkg.package_list[0].status_info.status).toBe("Perlu Dikirim")
    expect(pkg.package_list[0].payment_info.total_price).toBe(6350000000)
    expect(pkg.order_ext_info.order_id).toBe(o.order_id)
    // same keys everywhere
    const keys = (v: unknown): string[] => (Array.isArray(v) ? v.flatMap(keys) : v && typeof v === "object" ? Object.entries(v).flatMap(([k, x]) => [k, ...keys(x)]) : [])
    expect(keys(r)).toEqual(keys(card))
  })

  it("masks chat text, also when the content is a JSON string, and the older list's buyer and address", () => {
    const chat = SC.sampleChatID(1764050000)
    const msgs = SC.messagesV12(chat.messages.slice(0, 2), { buyer: "budi_santoso88", shop: "Toko Digital Jaya" })
    const withString = [...msgs, { ...msgs[0], content: JSON.stringify({ text: "Halo kak, nomor saya 081234567890" }) }]
    const text = JSON.stringify(redact(withString))
    for (const p of [...PERSONAL, "081234567890", "Ready kak"]) expect(text).not.toContain(p)
    expect(text).toContain('"conversation_id":"1429384756123001"')
    expect(text).toContain('"type":"text"')
    const v3 = JSON.stringify(redact(SC.v3ListResponse([SC.makeOrder(1, SC.BUYERS_ID[0])])))
    for (const p of PERSONAL) expect(v3).not.toContain(p)
    expect(v3).toContain('"total_price":"63500.00"')
    expect(v3).toContain('"currency":"IDR"')
  })

  it("keeps the envelope's words but not a sentence under the same key", () => {
    expect(redact({ message: "success", code: 0 })).toEqual({ message: "success", code: 0 })
    expect(redact({ message: "Budi Santoso 0812" })).toEqual({ message: "Xxxx Xxxxxxx 0000" })
  })

  it("masks broken text the same way", () => {
    expect(shapeOf("Đặng Văn Lâm 🎮 0812-34")).toBe("Xxxx Xxx Xxx x 0000-00")
    expect(redactText('{"buyer":"budi 0812"')).toBe('{"xxxxx":"xxxx 0000"')
  })
})
