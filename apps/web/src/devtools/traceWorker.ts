// Off the main thread: read a dropped file and check it against the trace schema.
import { parseTrace } from '@parley/core/trace'

self.onmessage = async (event: MessageEvent<Blob>) => {
  try {
    self.postMessage(parseTrace(await event.data.text()))
  } catch (error) {
    self.postMessage({ ok: false, error: `The trace could not be read: ${(error as Error).message}` })
  }
}
