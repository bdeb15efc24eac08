// The hub's side of a join, for the join benchmark: the in-process hub's debug log lines on the join
// path (werift plane: ICE and DTLS state, the keyframe request to the publisher, the keyframe's arrival,
// the first packet forwarded to the newcomer), stamped on arrival with the epoch time the newcomer's
// page also uses (performance.timeOrigin + performance.now()), so they line up with the page's marks.

type LogFields = Record<string, unknown>

export const HUB_STEPS = ['hubOfferIn', 'hubAnswerOut', 'hubDtlsRecordIn', 'hubIceConnected', 'hubDtlsConnecting', 'hubDtlsConnected', 'hubPli', 'hubKeyframeIn', 'hubAnswerIn', 'hubAnswerApplied', 'hubFirstVideoOut'] as const
export type HubStep = (typeof HUB_STEPS)[number]

export const HUB_STEP_MEANING: Record<HubStep, string> = {
  hubOfferIn: "the newcomer's first offer handed to its werift peer (after the hub's HTTP handling)",
  hubAnswerOut: 'its answer ready (werift done, candidates held for it added)',
  hubDtlsRecordIn: "the newcomer's first DTLS record (its ClientHello) at the hub's ICE connection",
  hubIceConnected: "the hub's ICE connected for the newcomer",
  hubDtlsConnecting: "the hub's DTLS transport connecting (handshake started)",
  hubDtlsConnected: "the hub's DTLS transport connected",
  hubPli: 'the first keyframe request (PLI) to the other participant after the click',
  hubKeyframeIn: "that keyframe's first packet arrived at the hub",
  hubAnswerIn: "the newcomer's answer to the hub's offer handed to its werift peer (after the hub's HTTP handling)",
  hubAnswerApplied: 'that answer applied (werift done): the forwardings go live, a held keyframe first',
  hubFirstVideoOut: 'the first video packet forwarded to the newcomer',
}

export interface HubEntry {
  at: number
  msg: string
  fields: LogFields | undefined
}

/**
 * Whether a hub log line belongs to the join trace: the join path's debug lines, and the simulcast lines (a
 * layer wanted and switched to, a tile's size, the held keyframe; read only for JOIN_DUMP) at any level. The
 * one rule for both hubs: the bench's own (`hubTraceLog`) and the one in its own process (join-hub-child.ts).
 */
export function isJoinTraceLine(level: string, msg: string): boolean {
  return (level === 'debug' && /^(ice |dtls |keyframe |first packet forwarded|offer answered|offer created|answer applied)/.test(msg)) || /^(simulcast layer |viewer size|held keyframe|simulcast publisher layers|video paused|video resumed)/.test(msg)
}

/** A trace line stamped now, in the epoch ms the newcomer's page also uses. */
export const hubEntry = (msg: string, fields: LogFields | undefined): HubEntry => ({ at: performance.timeOrigin + performance.now(), msg, fields })

/** A logger for startTestHub that keeps the join trace's lines (and nothing else) with their epoch time. */
export function hubTraceLog(into: HubEntry[]): (level: string, msg: string, fields?: LogFields) => void {
  return (level, msg, fields) => {
    if (isJoinTraceLine(level, msg)) into.push(hubEntry(msg, fields))
  }
}

export interface HubTrace {
  steps: Partial<Record<HubStep, number>>
  /** PLIs to the other participant's tracks between the click and the first frame. */
  plis: number
  /** Whether the first video packet forwarded to the newcomer started a keyframe. */
  firstVideoKeyframe: boolean | undefined
  /** ms the hub took to answer the newcomer's first offer (werift's setRemoteDescription, createAnswer, setLocalDescription), and to create its first offer to it. */
  answerMs: number | undefined
  offerMs: number | undefined
  /** ms from the PLI to the keyframe's first packet at the hub. */
  keyframeAfterRequestMs: number | undefined
  /** The newcomer's ClientHellos that reached the hub (their first datagrams: 2 with the cookie exchange; more are resends), and its DTLS records that arrived before werift's DTLS transport was started (dropped). */
  clientHellos: number
  recordsBeforeDtls: number
}

/** The hub's steps as ms after the click (`clickedAt`, epoch ms), from the entries logged since it. */
export function hubTrace(entries: readonly HubEntry[], clickedAt: number, firstFrameAt: number): HubTrace {
  const since = entries.filter((entry) => entry.at >= clickedAt)
  const newcomer = since.find((entry) => entry.msg === 'ice connected')?.fields?.clientId
  const steps: Partial<Record<HubStep, number>> = {}
  const mark = (step: HubStep, entry: HubEntry | undefined) => {
    if (entry && steps[step] === undefined) steps[step] = entry.at - clickedAt
  }
  const ofNewcomer = (entry: HubEntry) => newcomer !== undefined && entry.fields?.clientId === newcomer
  const ofOther = (entry: HubEntry) => newcomer !== undefined && entry.fields?.clientId !== newcomer
  // `offer answered` is logged when the answer is ready, with werift's time and its wait in the peer's queue.
  const answered = since.find((entry) => entry.msg === 'offer answered' && ofNewcomer(entry))
  if (answered && typeof answered.fields?.ms === 'number') {
    const waited = typeof answered.fields.queuedMs === 'number' ? answered.fields.queuedMs : 0
    mark('hubOfferIn', { ...answered, at: answered.at - answered.fields.ms - waited })
    mark('hubAnswerOut', answered)
  }
  // `answer applied` likewise (since stop 42): our answer's PUT on its way is answerSent → hubAnswerIn.
  const applied = since.find((entry) => entry.msg === 'answer applied' && ofNewcomer(entry))
  if (applied && typeof applied.fields?.ms === 'number') {
    const waited = typeof applied.fields.queuedMs === 'number' ? applied.fields.queuedMs : 0
    mark('hubAnswerIn', { ...applied, at: applied.at - applied.fields.ms - waited })
    mark('hubAnswerApplied', applied)
  }
  // A record the hub replayed to werift's DTLS server (werift-early-dtls.ts) is not one more from the client.
  const records = since.filter((entry) => entry.msg === 'dtls record in' && ofNewcomer(entry) && entry.fields?.replayed !== true)
  mark('hubDtlsRecordIn', records[0])
  mark('hubIceConnected', since.find((entry) => entry.msg === 'ice connected'))
  mark('hubDtlsConnecting', since.find((entry) => entry.msg === 'dtls connecting' && ofNewcomer(entry)))
  mark('hubDtlsConnected', since.find((entry) => entry.msg === 'dtls connected' && ofNewcomer(entry)))
  const plis = since.filter((entry) => entry.msg === 'keyframe requested' && ofOther(entry))
  mark('hubPli', plis[0])
  mark('hubKeyframeIn', since.find((entry) => entry.msg === 'keyframe arrived' && ofOther(entry)))
  const firstVideo = since.find((entry) => entry.msg === 'first packet forwarded' && ofNewcomer(entry) && entry.fields?.kind === 'video')
  mark('hubFirstVideoOut', firstVideo)
  const ms = (msg: string, field = 'ms') => since.find((entry) => entry.msg === msg && ofNewcomer(entry))?.fields?.[field] as number | undefined
  return {
    steps,
    plis: plis.filter((entry) => entry.at <= firstFrameAt).length,
    firstVideoKeyframe: firstVideo?.fields?.keyframe as boolean | undefined,
    answerMs: ms('offer answered'),
    offerMs: ms('offer created'),
    keyframeAfterRequestMs: since.find((entry) => entry.msg === 'keyframe arrived' && ofOther(entry))?.fields?.afterRequestMs as number | undefined,
    clientHellos: records.filter((entry) => entry.fields?.clientHello === true).length,
    recordsBeforeDtls: records.filter((entry) => entry.fields?.dtlsState === 'new').length,
  }
}
