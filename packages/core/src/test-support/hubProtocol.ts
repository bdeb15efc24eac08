// The hub's negotiation protocol (hub-api-v1.md §4), checked against what the fake hub actually
// received. The model tests run it after every generated path, so a transition pointed at the wrong
// state shows up as a broken rule of the protocol, not only as a machine that disagrees with itself.
import { mediaStateMetaKey } from '@parley/protocol'
import type { HubRequestRecord } from './fakeHub.js'

export interface HubProtocolRun {
  /** Every request the fake hub received, in order. */
  log: readonly HubRequestRecord[]
  /** For each hub offer delivered to the client (SSE `offer`): how many requests the hub had received then. */
  hubOffersAt: readonly number[]
  /** The client came to rest with nothing owed: every delivered hub offer has its answer, every granted lock its offer. */
  settled: boolean
  /**
   * The one documented exception to "a granted lock is followed by PUT negotiate": the offer could not
   * even be created, and the negotiation said so by failing (the hub's lock then times out).
   */
  offerCreationFailed?: boolean
}

const isOffer = (r: HubRequestRecord) => r.route === 'negotiate' && (r.body as { type?: string } | undefined)?.type === 'offer'
const isAnswer = (r: HubRequestRecord) => r.route === 'negotiate' && (r.body as { type?: string } | undefined)?.type === 'answer'
const isGrantedLock = (r: HubRequestRecord) => r.route === 'isAllowNegotiate' && r.status === 200
/** The request names this client: in its path, or its media-state key in the path or body. */
const concerns = (r: HubRequestRecord, clientId: string) =>
  r.params.clientId === clientId || r.params.key === mediaStateMetaKey(clientId) || JSON.stringify(r.body ?? null).includes(mediaStateMetaKey(clientId))
const describe = (log: readonly HubRequestRecord[]) => log.map((r) => (r.route === 'negotiate' ? `negotiate:${(r.body as { type: string }).type}` : r.route)).join(', ')

/** The rules the run broke, each as a sentence (empty when it kept all of them). */
export function hubProtocolViolations(run: HubProtocolRun): string[] {
  const { log } = run
  const violations: string[] = []
  const grants = log.flatMap((r, i) => (isGrantedLock(r) ? [i] : []))

  // 1. A granted lock is followed by exactly one PUT negotiate offer (before the next lock request), and
  //    by nothing else on negotiate until then: while we hold the lock the hub hears our offer first.
  grants.forEach((at, n) => {
    const nextLock = log.findIndex((r, i) => i > at && r.route === 'isAllowNegotiate')
    const negotiations = log.slice(at + 1, nextLock < 0 ? undefined : nextLock).filter((r) => r.route === 'negotiate')
    // The last grant may still be waiting for its offer (run not settled), or have lost it (offer creation failed).
    const last = n === grants.length - 1 && negotiations.length === 0
    if (last && (!run.settled || run.offerCreationFailed === true)) return
    if (negotiations.filter(isOffer).length !== 1 || !isOffer(negotiations[0]!)) {
      violations.push(`the lock granted at request ${at} was followed by [${describe(negotiations)}], not by exactly one PUT negotiate offer first`)
    }
  })

  // 2. No PUT negotiate offer without a granted lock (one offer per grant), but a client's first: the hub
  //    cannot offer before that client's peer connection exists, so the first needs none (hub-api-v1.md §4).
  const offeredBefore = new Set<string>()
  log.forEach((r, i) => {
    if (!isOffer(r)) return
    const clientId = r.params.clientId ?? ''
    if (!offeredBefore.has(clientId)) {
      offeredBefore.add(clientId)
      const earlier = log.slice(0, i).filter((e) => e.params.clientId === clientId && (e.route === 'negotiate' || e.route === 'isAllowNegotiate'))
      if (earlier.length === 0) return
    }
    const grant = grants.filter((g) => g < i).at(-1)
    const offersSince = grant === undefined ? [] : log.slice(grant + 1, i).filter(isOffer)
    if (grant === undefined || offersSince.length > 0) violations.push(`the offer at request ${i} had no granted lock of its own`)
  })

  // 3. Every hub offer gets exactly one answer, after it (at most one while the run is not settled).
  const answers = log.flatMap((r, i) => (isAnswer(r) ? [i] : []))
  answers.forEach((at, k) => {
    const offeredAt = run.hubOffersAt[k]
    if (offeredAt === undefined) violations.push(`the answer at request ${at} answers no hub offer`)
    else if (at < offeredAt) violations.push(`the answer at request ${at} was sent before the hub offer it answers`)
  })
  if (run.settled && answers.length !== run.hubOffersAt.length) {
    violations.push(`${run.hubOffersAt.length} hub offers were delivered but ${answers.length} answered`)
  }

  // 4. No request for a client after its leave, except the leave itself (a new join is a new client).
  log.forEach((left, at) => {
    if (left.route !== 'leave' && left.route !== 'leaveBeacon') return
    const clientId = left.params.clientId ?? ''
    const after = log.slice(at + 1).filter((r) => r.route !== left.route && concerns(r, clientId))
    if (after.length > 0) violations.push(`requests for ${clientId} after its leave: ${describe(after)}`)
  })

  // 5. A client replaced by a new registration (a full reconnect) is never named again: every request
  //    with a client id comes after the last request of any older client.
  const clientOrder: string[] = []
  log.forEach((r, at) => {
    // A host's moderation names another participant, not our own client.
    if (r.route === 'muteClient' || r.route === 'removeClient' || r.route === 'grantHost') return
    const clientId = r.params.clientId
    if (!clientId) return
    if (!clientOrder.includes(clientId)) clientOrder.push(clientId)
    const newer = clientOrder.slice(clientOrder.indexOf(clientId) + 1)
    if (newer.length > 0) violations.push(`request ${at} (${r.route}) names ${clientId} after its replacement ${newer.join(', ')} was in use`)
  })

  // Not a rule: when our ICE candidates go. One may overtake the PUT of the description it belongs to
  // (the peer connection gathers as soon as the description is set), and both hubs queue candidates
  // until they have a remote description (hub-api-v1.md §9).

  return violations
}
