// Types into the chat as a seller would: focus the input, insert the text with the browser's own
// editing command (which fires beforeinput/input, so React-controlled inputs update their
// state), and press send. Falls back to the native value setter plus an input event.

export function inputValue(el: HTMLElement): string {
  if (el instanceof HTMLTextAreaElement || el instanceof HTMLInputElement) return el.value
  return el.innerText ?? el.textContent ?? ""
}

export function insertText(el: HTMLElement, text: string): boolean {
  el.focus()
  if (el instanceof HTMLTextAreaElement || el instanceof HTMLInputElement) {
    el.setSelectionRange(el.value.length, el.value.length)
  }
  let ok = false
  try {
    ok = el.ownerDocument.execCommand("insertText", false, text)
  } catch {
    ok = false
  }
  if (ok && inputValue(el).includes(text.split("\n")[0])) return true
  if (el instanceof HTMLTextAreaElement || el instanceof HTMLInputElement) {
    const proto = el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype
    Object.getOwnPropertyDescriptor(proto, "value")?.set?.call(el, text)
  } else {
    el.textContent = text
  }
  el.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "insertText", data: text }))
  return inputValue(el).includes(text.split("\n")[0])
}

export function pressSend(input: HTMLElement, button: HTMLElement | null): void {
  if (button) {
    button.click()
    return
  }
  const init = { key: "Enter", code: "Enter", keyCode: 13, which: 13, bubbles: true, cancelable: true }
  input.dispatchEvent(new KeyboardEvent("keydown", init))
  input.dispatchEvent(new KeyboardEvent("keypress", init))
  input.dispatchEvent(new KeyboardEvent("keyup", init))
}

/** Empties the input the way a user would (select all, delete), so the page's state follows. */
export function clearInput(el: HTMLElement): void {
  el.focus()
  let ok = false
  try {
    el.ownerDocument.execCommand("selectAll", false)
    ok = el.ownerDocument.execCommand("delete", false)
  } catch {
    ok = false
  }
  if (ok && !inputValue(el).trim()) return
  if (el instanceof HTMLTextAreaElement || el instanceof HTMLInputElement) {
    const proto = el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype
    Object.getOwnPropertyDescriptor(proto, "value")?.set?.call(el, "")
  } else {
    el.textContent = ""
  }
  el.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "deleteContentBackward" }))
}
