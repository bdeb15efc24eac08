// The capture's export (redaction, plain data, the file's header), in its own lazy chunk: loaded when
// the State panel exports the current call's trace (conference/factory.ts).
export { exportCapture } from '@parley/core/trace'
