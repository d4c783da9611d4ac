/**
 * The journey's notifications, one at a time, in the order the journey sent
 * them. A notify step that Temporal is still retrying (Slack answering 500 or
 * 429) would otherwise be overtaken by the next one, and a channel would get
 * "offer expired" before "new offer". Plain promises: deterministic in a workflow.
 */

export interface SendQueue {
  /**
   * Runs `send` once every send queued before it has completed or finally failed. The promise is this
   * send's own outcome: a caller that awaits it waits for its message (and so for those before it); a
   * caller that does not (an offer's answer) is not held up at all.
   */
  send<T>(send: () => Promise<T>): Promise<T>;
  /** Resolves once every send queued so far, and any queued meanwhile, has completed or failed. */
  drained(): Promise<void>;
}

export function createSendQueue(): SendQueue {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    send(send) {
      const sent = tail.then(send);
      // A send that finally failed does not hold back the ones after it; its caller still sees the failure.
      tail = sent.catch(() => undefined);
      return sent;
    },
    async drained() {
      let last: Promise<unknown>;
      do {
        last = tail;
        await last;
      } while (last !== tail);
    },
  };
}
