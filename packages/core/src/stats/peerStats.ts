// Where the stats actor reads getStats from: the peer session attaches the peer connection it owns
// while it lives (one owner: nothing here closes or changes it), the stats actor only reads.
import type { PeerConnectionLike } from '../ports.js'
import { sampleOfReport, type StatLike } from './report.js'

export class PeerStats {
  private pc: PeerConnectionLike | null = null

  attach(pc: PeerConnectionLike): () => void {
    this.pc = pc
    return () => {
      if (this.pc === pc) this.pc = null
    }
  }

  /**
   * The current report as a list of RTCStats, only the figures readSample reads (the stats actor's output
   * is plain data a call trace keeps: a browser's whole report is ~15 KB a second); empty without a peer
   * connection or getStats.
   */
  async read(): Promise<StatLike[]> {
    return sampleOfReport(await this.pc?.getStats?.())
  }
}
