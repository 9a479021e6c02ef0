// A small key-value store: chrome.storage.local in the extension, a Map in unit tests.

export interface KV {
  get<T>(key: string): Promise<T | undefined>
  set(values: Record<string, unknown>): Promise<void>
}

export function chromeStore(): KV {
  return {
    async get<T>(key: string) {
      const r = await chrome.storage.local.get(key)
      return r[key] as T | undefined
    },
    async set(values) {
      await chrome.storage.local.set(values)
    }
  }
}

export function memoryStore(init: Record<string, unknown> = {}): KV & { data: Map<string, unknown> } {
  const data = new Map(Object.entries(structuredClone(init)))
  return {
    data,
    async get<T>(key: string) {
      const v = data.get(key)
      return v === undefined ? undefined : (structuredClone(v) as T)
    },
    async set(values) {
      for (const [k, v] of Object.entries(values)) data.set(k, structuredClone(v))
    }
  }
}

/** Serialises async read-modify-write sections. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve()
  run<T>(f: () => Promise<T>): Promise<T> {
    const next = this.tail.then(f, f)
    this.tail = next.catch(() => undefined)
    return next
  }
}
