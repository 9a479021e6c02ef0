// Seller Centre's order statuses as its pages show them (the card list's status_info.status and
// the order tabs), in the languages of the 11 regions, to the Shopee order_status names the
// engine understands. A text not listed here is NOT guessed: the order is reported with the text
// as its status, which the engine keeps unpaid and never delivers (see README, "Statuses").
//
// Where each word comes from: "observed" = deegoll/copiloto docs/canais/mapa-pedidos-shopee.md and
// tests/copiloto/fixtures/shopee_pedidos_lista_2026-10-08.json (a live Brazilian card list:
// "A Enviar", "Enviado", "Pedido Recebido", "Cancelado", "Não pago"); "inferred" = Seller
// Centre's tab names as commonly shown in each language, not seen in a public capture.

/** The statuses the engine reads (engine/src/orders/status.rs parse_reported). */
export type ShopeeStatus =
  | "UNPAID"
  | "READY_TO_SHIP"
  | "SHIPPED"
  | "TO_CONFIRM_RECEIVE"
  | "COMPLETED"
  | "IN_CANCEL"
  | "CANCELLED"
  | "TO_RETURN"

export interface StatusWord {
  text: string
  status: ShopeeStatus
  lang: "id" | "vi" | "th" | "ms" | "en" | "fil" | "zh-TW" | "pt" | "es"
  source: "observed" | "inferred"
}

const w = (lang: StatusWord["lang"], source: StatusWord["source"], pairs: Array<[string, ShopeeStatus]>): StatusWord[] =>
  pairs.map(([text, status]) => ({ text, status, lang, source }))

export const STATUS_WORDS: StatusWord[] = [
  ...w("id", "inferred", [
    ["Belum Bayar", "UNPAID"],
    ["Perlu Dikirim", "READY_TO_SHIP"],
    ["Siap Dikirim", "READY_TO_SHIP"],
    ["Dikirim", "SHIPPED"],
    ["Sedang Dikirim", "SHIPPED"],
    // "Telah Dikirim" is shipped or delivered (ambiguous, per a public Indonesian finance audit);
    // either way the buyer paid, which is all delivery needs.
    ["Telah Dikirim", "SHIPPED"],
    ["Selesai", "COMPLETED"],
    ["Pembatalan", "IN_CANCEL"],
    ["Dibatalkan", "CANCELLED"],
    ["Pengembalian", "TO_RETURN"],
    ["Pengembalian Barang/Dana", "TO_RETURN"]
  ]),
  ...w("vi", "inferred", [
    ["Chờ thanh toán", "UNPAID"],
    ["Chờ xác nhận", "READY_TO_SHIP"],
    ["Chờ lấy hàng", "READY_TO_SHIP"],
    ["Đang giao", "SHIPPED"],
    ["Đã giao", "TO_CONFIRM_RECEIVE"],
    ["Hoàn thành", "COMPLETED"],
    ["Đã hủy", "CANCELLED"],
    ["Đã huỷ", "CANCELLED"],
    ["Trả hàng/Hoàn tiền", "TO_RETURN"]
  ]),
  ...w("th", "inferred", [
    ["ที่ต้องชำระ", "UNPAID"],
    ["ยังไม่ชำระ", "UNPAID"],
    ["ที่ต้องจัดส่ง", "READY_TO_SHIP"],
    ["กำลังจัดส่ง", "SHIPPED"],
    ["จัดส่งแล้ว", "SHIPPED"],
    ["สำเร็จแล้ว", "COMPLETED"],
    ["ยกเลิกแล้ว", "CANCELLED"],
    ["คืนเงิน/คืนสินค้า", "TO_RETURN"]
  ]),
  ...w("ms", "inferred", [
    ["Belum Dibayar", "UNPAID"],
    ["Untuk Dihantar", "READY_TO_SHIP"],
    ["Dihantar", "SHIPPED"],
    ["Penghantaran", "SHIPPED"],
    ["Dibatalkan", "CANCELLED"],
    ["Pemulangan/Bayaran Balik", "TO_RETURN"]
  ]),
  ...w("en", "inferred", [
    ["Unpaid", "UNPAID"],
    ["To Ship", "READY_TO_SHIP"],
    ["Shipping", "SHIPPED"],
    ["Shipped", "SHIPPED"],
    ["Delivered", "TO_CONFIRM_RECEIVE"],
    ["Completed", "COMPLETED"],
    ["Cancellation", "IN_CANCEL"],
    ["Cancelled", "CANCELLED"],
    ["Return/Refund", "TO_RETURN"]
  ]),
  ...w("fil", "inferred", [
    ["Hindi pa Bayad", "UNPAID"],
    ["Ipapadala", "READY_TO_SHIP"],
    ["Kinansela", "CANCELLED"]
  ]),
  ...w("zh-TW", "inferred", [
    ["尚未付款", "UNPAID"],
    ["待付款", "UNPAID"],
    ["待出貨", "READY_TO_SHIP"],
    ["運送中", "SHIPPED"],
    ["已完成", "COMPLETED"],
    ["取消中", "IN_CANCEL"],
    ["不成立", "CANCELLED"],
    ["已取消", "CANCELLED"],
    ["退貨/退款", "TO_RETURN"]
  ]),
  ...w("pt", "observed", [
    ["Não pago", "UNPAID"],
    ["A Enviar", "READY_TO_SHIP"],
    ["Enviado", "SHIPPED"],
    ["Pedido Recebido", "COMPLETED"],
    ["Cancelado", "CANCELLED"]
  ]),
  ...w("pt", "inferred", [
    ["Concluído", "COMPLETED"],
    ["Devolução/Reembolso", "TO_RETURN"]
  ]),
  ...w("es", "inferred", [
    ["No pagado", "UNPAID"],
    ["Sin pagar", "UNPAID"],
    ["Por enviar", "READY_TO_SHIP"],
    ["Enviado", "SHIPPED"],
    ["Completado", "COMPLETED"],
    ["Cancelado", "CANCELLED"],
    ["Devolución/Reembolso", "TO_RETURN"]
  ])
]

function norm(s: string): string {
  return s.normalize("NFC").replace(/\s+/g, " ").trim().toLocaleLowerCase()
}

const BY_TEXT = new Map<string, ShopeeStatus>()
for (const x of STATUS_WORDS) {
  const k = norm(x.text)
  const prev = BY_TEXT.get(k)
  // A word that means two things in two languages would be a guess: none does today.
  if (prev && prev !== x.status) throw new Error(`status word "${x.text}" maps to ${prev} and ${x.status}`)
  BY_TEXT.set(k, x.status)
}

/** The status a whole status text means ("Perlu Dikirim" → READY_TO_SHIP); undefined if unknown. */
export function statusOfText(text: string): ShopeeStatus | undefined {
  return BY_TEXT.get(norm(text))
}

/** Status words longest first, for finding one inside a longer text (the DOM reader). */
export const STATUS_WORDS_LONGEST_FIRST: StatusWord[] = [...STATUS_WORDS].sort((a, b) => b.text.length - a.text.length)
