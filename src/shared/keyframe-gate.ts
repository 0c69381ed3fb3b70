// Where a consumer of pictures waits for its next keyframe: at its start, and after it lost or
// dropped a picture, since the pictures after one reference what never arrived. The recorder, the
// stream server's clients, the preview feed and both players each hold one.

export class KeyframeGate {
  private waiting = true;

  /** Whether this picture may go on; a keyframe opens the gate, nothing else passes it closed. */
  pass(keyframe: boolean): boolean {
    if (this.waiting && !keyframe) return false;
    this.waiting = false;
    return true;
  }

  /** A picture was lost or dropped: wait for the next keyframe. */
  close(): void {
    this.waiting = true;
  }

  get isOpen(): boolean {
    return !this.waiting;
  }
}
