// werift's DTLS certificate, with its fingerprint computed once per process.
import { RTCDtlsFingerprint, RTCDtlsTransport } from 'werift'

let ready: Promise<void> | undefined

/**
 * werift 0.25.2 makes one certificate per process (`RTCDtlsTransport.SetupCertificate`), but its
 * `getFingerprints` parses the certificate's PEM (x509 and ASN.1) and hashes it again at every call, and
 * werift calls it for every m-line of every description it writes (`localParameters`): 0.3 ms a call at
 * load 7, 1–2.5 ms of each answer to Parley's offer (3–8 receive slots). The fingerprint never changes, so
 * it is computed here once; each call still gets fresh objects, as werift's own do. The plane calls this at
 * its start (which also makes the certificate then, not in the first join); a description written before
 * it resolves is werift's own, unchanged.
 */
export function fingerprintOnce(): Promise<void> {
  ready ??= RTCDtlsTransport.SetupCertificate().then((certificate) => {
    const fingerprints = certificate.getFingerprints().map(({ algorithm, value }) => ({ algorithm, value }))
    certificate.getFingerprints = () => fingerprints.map(({ algorithm, value }) => new RTCDtlsFingerprint(algorithm, value))
  })
  return ready
}
