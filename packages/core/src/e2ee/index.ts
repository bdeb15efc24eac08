// @parley/core/e2ee: end-to-end encryption of media and chat (README, "End-to-end encryption"). Its own entry:
// the core's main entry never imports it. The worker it starts is `@parley/core/e2ee/worker`.
export {
  createE2ee,
  e2eeSupported,
  type E2ee,
  type E2eeChatStatus,
  type E2eeOptions,
  type E2eeStatus,
  type E2eeStreamState,
  type ScriptTransformFactory,
  type WorkerLike,
} from './e2ee.js'
export { deriveFrameKey, safetyCode, encryptFrame, decryptFrame, FRAME_MAGIC, type DecryptResult, type FrameInfo, type FrameKey, type FrameKeys, type MediaKind, type SubtleCryptoLike } from './frameCrypto.js'
export type { KeyMessage, WorkerReport, TransformOptions, SendState, ReceiveState } from './worker.js'
export { deriveChatKey, encryptChat, decryptChat, isEncryptedChatFrame, CHAT_FRAME_PREFIX, type ChatDecryptResult, type ChatKey } from './chatCrypto.js'
