// The end-to-end encryption worker's entry (conference/factory.ts starts it for an encrypted call): the
// core's frame transforms, bound to this worker's global.
import '@parley/core/e2ee/worker'
