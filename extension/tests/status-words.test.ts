import { describe, expect, it } from "vitest"

import { statusToReport } from "../lib/adapters/order-read"
import { STATUS_WORDS, statusOfText } from "../lib/status-words"

describe("localized order statuses", () => {
  const cases: Array<[string, string, string[]]> = [
    // language, status, texts
    ["Indonesian", "UNPAID", ["Belum Bayar"]],
    ["Indonesian", "READY_TO_SHIP", ["Perlu Dikirim", "perlu  dikirim"]],
    ["Indonesian", "SHIPPED", ["Dikirim", "Sedang Dikirim"]],
    ["Indonesian", "COMPLETED", ["Selesai"]],
    ["Indonesian", "CANCELLED", ["Dibatalkan"]],
    ["Indonesian", "TO_RETURN", ["Pengembalian"]],
    ["Vietnamese", "UNPAID", ["Chờ thanh toán"]],
    ["Vietnamese", "READY_TO_SHIP", ["Chờ lấy hàng", "Chờ xác nhận"]],
    ["Vietnamese", "SHIPPED", ["Đang giao"]],
    ["Vietnamese", "COMPLETED", ["Hoàn thành"]],
    ["Vietnamese", "CANCELLED", ["Đã hủy", "Đã huỷ"]],
    ["Vietnamese", "TO_RETURN", ["Trả hàng/Hoàn tiền"]],
    ["Thai", "UNPAID", ["ที่ต้องชำระ"]],
    ["Thai", "READY_TO_SHIP", ["ที่ต้องจัดส่ง"]],
    ["Thai", "SHIPPED", ["กำลังจัดส่ง"]],
    ["Thai", "COMPLETED", ["สำเร็จแล้ว"]],
    ["Thai", "CANCELLED", ["ยกเลิกแล้ว"]],
    ["Thai", "TO_RETURN", ["คืนเงิน/คืนสินค้า"]],
    ["Malay", "UNPAID", ["Belum Dibayar"]],
    ["Malay", "READY_TO_SHIP", ["Untuk Dihantar"]],
    ["Malay", "SHIPPED", ["Dihantar"]],
    ["Malay", "CANCELLED", ["Dibatalkan"]],
    ["Malay", "TO_RETURN", ["Pemulangan/Bayaran Balik"]],
    ["English (MY, PH, SG)", "UNPAID", ["Unpaid"]],
    ["English (MY, PH, SG)", "READY_TO_SHIP", ["To Ship", "TO SHIP"]],
    ["English (MY, PH, SG)", "SHIPPED", ["Shipping"]],
    ["English (MY, PH, SG)", "COMPLETED", ["Completed"]],
    ["English (MY, PH, SG)", "CANCELLED", ["Cancelled"]],
    ["English (MY, PH, SG)", "TO_RETURN", ["Return/Refund"]],
    ["Filipino", "UNPAID", ["Hindi pa Bayad"]],
    ["Filipino", "READY_TO_SHIP", ["Ipapadala"]],
    ["Filipino", "CANCELLED", ["Kinansela"]],
    ["Traditional Chinese", "UNPAID", ["尚未付款"]],
    ["Traditional Chinese", "READY_TO_SHIP", ["待出貨"]],
    ["Traditional Chinese", "SHIPPED", ["運送中"]],
    ["Traditional Chinese", "COMPLETED", ["已完成"]],
    ["Traditional Chinese", "CANCELLED", ["不成立", "已取消"]],
    ["Traditional Chinese", "TO_RETURN", ["退貨/退款"]],
    ["Portuguese (observed)", "UNPAID", ["Não pago"]],
    ["Portuguese (observed)", "READY_TO_SHIP", ["A Enviar"]],
    ["Portuguese (observed)", "SHIPPED", ["Enviado"]],
    ["Portuguese (observed)", "COMPLETED", ["Pedido Recebido", "Concluído"]],
    ["Portuguese (observed)", "CANCELLED", ["Cancelado"]],
    ["Portuguese", "TO_RETURN", ["Devolução/Reembolso"]],
    ["Spanish (MX, CL, CO)", "UNPAID", ["No pagado", "Sin pagar"]],
    ["Spanish (MX, CL, CO)", "READY_TO_SHIP", ["Por enviar"]],
    ["Spanish (MX, CL, CO)", "SHIPPED", ["Enviado"]],
    ["Spanish (MX, CL, CO)", "COMPLETED", ["Completado"]],
    ["Spanish (MX, CL, CO)", "CANCELLED", ["Cancelado"]],
    ["Spanish (MX, CL, CO)", "TO_RETURN", ["Devolución/Reembolso"]]
  ]
  for (const [lang, status, texts] of cases) {
    it(`${lang}: ${texts.join(", ")} → ${status}`, () => {
      for (const t of texts) expect(statusOfText(t)).toBe(status)
    })
  }

  it("a text it does not know, or a word inside a longer one, is not guessed", () => {
    expect(statusOfText("Menunggu Konfirmasi")).toBeUndefined()
    expect(statusOfText("Perlu Dikirim Segera")).toBeUndefined()
    expect(statusOfText("")).toBeUndefined()
    expect(statusToReport("Menunggu Konfirmasi")).toBe("Menunggu Konfirmasi")
  })

  it("numbers are raw codes, reported as they are; Shopee's own names pass through", () => {
    expect(statusToReport(2)).toBe("2")
    expect(statusToReport("READY_TO_SHIP")).toBe("READY_TO_SHIP")
    expect(statusToReport("待出貨")).toBe("READY_TO_SHIP")
    expect(statusToReport(undefined)).toBeUndefined()
  })

  it("every word says where it comes from, and the observed ones are the Brazilian capture's", () => {
    expect(STATUS_WORDS.filter((w) => w.source === "observed").map((w) => w.text)).toEqual(["Não pago", "A Enviar", "Enviado", "Pedido Recebido", "Cancelado"])
    expect(new Set(STATUS_WORDS.map((w) => w.lang))).toEqual(new Set(["id", "vi", "th", "ms", "en", "fil", "zh-TW", "pt", "es"]))
  })
})
