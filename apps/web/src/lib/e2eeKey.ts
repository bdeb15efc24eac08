// The end-to-end encryption key of a call lives in the page address's fragment (`#e2ee=…`): browsers
// never send a fragment to a server, so the hub that forwards the media never sees it, and a link
// that carries it lets the invitee decrypt. Only the app's own tab and the people given the link have it.

const FRAGMENT_NAME = 'e2ee'
/** A key we make: 16 random bytes, base64url (22 characters), as strong as the AES-128 key derived from it. */
const NEW_KEY_BYTES = 16
// What a pasted or edited link may carry: printable, not absurdly long (it is a PBKDF2 input, not a file).
const KEY_PATTERN = /^[\x21-\x7e]{8,256}$/

/** The key in an address's fragment, if it carries a usable one. */
export function e2eeKeyFromUrl(href: string): string | undefined {
  const hash = new URL(href).hash.slice(1)
  if (hash === '') return undefined
  const key = new URLSearchParams(hash).get(FRAGMENT_NAME) ?? undefined
  return key !== undefined && KEY_PATTERN.test(key) ? key : undefined
}

/** The address with this key in its fragment, or with none (`undefined`); the rest of it unchanged. */
export function withE2eeKey(href: string, key: string | undefined): string {
  const url = new URL(href)
  url.hash = key === undefined ? '' : new URLSearchParams({ [FRAGMENT_NAME]: key }).toString()
  // `URL` keeps a bare `#` when the fragment is emptied: not in an address anyone copies.
  return url.toString().replace(/#$/, '')
}

/** A fresh random key (the Web Crypto API's generator, or the one given in tests). */
export function newE2eeKey(random: (bytes: Uint8Array<ArrayBuffer>) => Uint8Array = (bytes) => crypto.getRandomValues(bytes)): string {
  const bytes = random(new Uint8Array(NEW_KEY_BYTES))
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}
