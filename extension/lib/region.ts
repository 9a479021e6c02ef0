// Seller Centre's regional domains, and what each implies.

export interface Region {
  host: string
  country: string
  currency: string
}

export const REGIONS: Region[] = [
  { host: "seller.shopee.co.id", country: "ID", currency: "IDR" },
  { host: "seller.shopee.vn", country: "VN", currency: "VND" },
  { host: "seller.shopee.co.th", country: "TH", currency: "THB" },
  { host: "seller.shopee.com.my", country: "MY", currency: "MYR" },
  { host: "seller.shopee.ph", country: "PH", currency: "PHP" },
  { host: "seller.shopee.sg", country: "SG", currency: "SGD" },
  { host: "seller.shopee.tw", country: "TW", currency: "TWD" },
  { host: "seller.shopee.com.br", country: "BR", currency: "BRL" },
  { host: "seller.shopee.com.mx", country: "MX", currency: "MXN" },
  { host: "seller.shopee.cl", country: "CL", currency: "CLP" },
  { host: "seller.shopee.com.co", country: "CO", currency: "COP" }
]

export function regionOf(host: string): Region | undefined {
  return REGIONS.find((r) => r.host === host)
}

/** Shopee's region codes as they appear in order JSON ("ID", "VN", ...) to currencies. */
export function currencyOfCountry(country: string): string | undefined {
  return REGIONS.find((r) => r.country === country.toUpperCase())?.currency
}

export const KNOWN_CURRENCIES = new Set([...REGIONS.map((r) => r.currency), "USD"])
